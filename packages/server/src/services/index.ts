import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/connect.ts';
import { AuditService } from './audit-service.ts';
import { AuthService } from './auth-service.ts';
import { BlockListService } from './block-list-service.ts';
import { CallFlowService } from './call-flow-service.ts';
import { CallRecordService } from './call-record-service.ts';
import { CallbackService } from './callback-service.ts';
import { ChargeService } from './charge-service.ts';
import { FaqService } from './faq-service.ts';
import { LoginThrottle } from './login-throttle.ts';
import { PhoneNumberService } from './phone-number-service.ts';
import { MessageService } from './message-service.ts';
import { PlanService } from './plan-service.ts';
import { PromptService } from './prompt-service.ts';
import { ReportService } from './report-service.ts';
import { StaffService } from './staff-service.ts';
import { Store } from './store.ts';
import { TenantService } from './tenant-service.ts';
import { TrunkService } from './trunk-service.ts';
import { UserService } from './user-service.ts';

export interface Services {
  store: Store;
  plans: PlanService;
  tenants: TenantService;
  staff: StaffService;
  numbers: PhoneNumberService;
  faq: FaqService;
  users: UserService;
  auth: AuthService;
  audit: AuditService;
  flows: CallFlowService;
  blockList: BlockListService;
  trunks: TrunkService;
  callbacks: CallbackService;
  calls: CallRecordService;
  charges: ChargeService;
  prompts: PromptService;
  reports: ReportService;
  messages: MessageService;
}

export function createServices(
  db: Db,
  clock: Clock,
  opts: {
    quarantineDays: number;
    publicUrl?: string;
    /** Where clients' uploaded prompts live (default: a folder under the OS temp dir). */
    promptDir?: string;
  },
): Services {
  const store = new Store(db, clock);
  const reports = new ReportService(store, {
    publicUrl: opts.publicUrl ?? 'http://localhost:3000',
  });
  return {
    store,
    plans: new PlanService(store),
    tenants: new TenantService(store, opts),
    staff: new StaffService(store),
    numbers: new PhoneNumberService(store, opts),
    faq: new FaqService(store),
    users: new UserService(store),
    auth: new AuthService(store, new LoginThrottle(clock)),
    audit: new AuditService(store),
    flows: new CallFlowService(store),
    blockList: new BlockListService(store),
    trunks: new TrunkService(store),
    callbacks: new CallbackService(store, reports),
    calls: new CallRecordService(store),
    charges: new ChargeService(store),
    prompts: new PromptService(
      store,
      opts.promptDir ?? join(tmpdir(), `uketsuke-prompts-${process.pid}`),
    ),
    reports,
    messages: new MessageService(store, reports),
  };
}
