import { AuditRepository } from './audit-repository.ts';
import { BlockListRepository } from './block-list-repository.ts';
import { CallFlowRepository } from './call-flow-repository.ts';
import { CallRecordRepository } from './call-record-repository.ts';
import { CallbackRepository } from './callback-repository.ts';
import { ChargeRepository } from './charge-repository.ts';
import type { Executor } from './executor.ts';
import { FaqRepository } from './faq-repository.ts';
import { MessageRepository } from './message-repository.ts';
import { PhoneNumberRepository } from './phone-number-repository.ts';
import { PlanRepository } from './plan-repository.ts';
import { ReportRepository } from './report-repository.ts';
import { SettingsRepository } from './settings-repository.ts';
import { StaffRepository } from './staff-repository.ts';
import { TenantPromptRepository } from './tenant-prompt-repository.ts';
import { TenantRepository } from './tenant-repository.ts';
import { TrunkRepository } from './trunk-repository.ts';
import { UserRepository } from './user-repository.ts';

/** All repositories bound to one executor (the database or an open transaction). */
export interface Repositories {
  plans: PlanRepository;
  tenants: TenantRepository;
  staff: StaffRepository;
  numbers: PhoneNumberRepository;
  faq: FaqRepository;
  users: UserRepository;
  audit: AuditRepository;
  flows: CallFlowRepository;
  blockList: BlockListRepository;
  trunks: TrunkRepository;
  callbacks: CallbackRepository;
  calls: CallRecordRepository;
  charges: ChargeRepository;
  reports: ReportRepository;
  messages: MessageRepository;
  settings: SettingsRepository;
  prompts: TenantPromptRepository;
}

export function repositories(db: Executor): Repositories {
  return {
    plans: new PlanRepository(db),
    tenants: new TenantRepository(db),
    staff: new StaffRepository(db),
    numbers: new PhoneNumberRepository(db),
    faq: new FaqRepository(db),
    users: new UserRepository(db),
    audit: new AuditRepository(db),
    flows: new CallFlowRepository(db),
    blockList: new BlockListRepository(db),
    trunks: new TrunkRepository(db),
    callbacks: new CallbackRepository(db),
    calls: new CallRecordRepository(db),
    charges: new ChargeRepository(db),
    reports: new ReportRepository(db),
    messages: new MessageRepository(db),
    settings: new SettingsRepository(db),
    prompts: new TenantPromptRepository(db),
  };
}
