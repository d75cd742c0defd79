import { AppError } from '../errors.ts';
import { type BusinessHours, checkBusinessHours } from '../domain/call-flow/business-hours.ts';
import { normalisePhone } from '../domain/phone-number.ts';
import { normaliseReportChannel } from '../domain/report-channel.ts';
import { normaliseReportWording, type ReportWording } from '../domain/report-wording.ts';
import { type TenantState, transitionTenant } from '../domain/tenant-lifecycle.ts';
import { normaliseEmail } from '../domain/validation.ts';
import { uuidv7 } from '../ids.ts';
import type {
  AnonymousPolicy,
  EmergencyContact,
  Tenant,
  TenantOption,
  UrgentEscalation,
} from '../repositories/tenant-repository.ts';
import { releaseNumber } from './phone-number-service.ts';
import { recipientLimit } from './report-service.ts';
import type { Actor, Store, Tx } from './store.ts';

export interface TenantInput {
  name: string;
  nameKana: string;
  address?: string;
  industry?: string;
  greeting?: string;
  operatorAlias?: string;
  companyInfo?: string;
  handlingManual?: string;
  emergencyContact?: { name: string; phone?: string | null; email?: string | null } | null;
  reportChannel?: Record<string, unknown>;
  planCode?: string;
  businessHours?: BusinessHours | null;
  anonymousPolicy?: AnonymousPolicy;
  urgentEscalation?: UrgentEscalation | null;
  reportWording?: ReportWording | null;
}

export type TenantPatch = Partial<TenantInput>;

/** What a client's own admin may change; the rest is the answering service's to set. */
export const clientEditableTenantFields: readonly (keyof TenantPatch)[] = [
  'companyInfo',
  'handlingManual',
  'emergencyContact',
  'reportChannel',
  'businessHours',
  'anonymousPolicy',
  'urgentEscalation',
  'reportWording',
];

/** Fixed report recipients may not exceed the plan's included ones plus purchased extras. */
async function checkRecipientLimit(tx: Tx, t: Tenant): Promise<void> {
  if (t.reportChannel.kind !== 'email') return;
  const limit = await recipientLimit(tx, t);
  if (t.reportChannel.fixedRecipients.length > limit) {
    throw new AppError(
      'report.recipient_limit',
      `${t.reportChannel.fixedRecipients.length} recipients; the plan includes ${limit} (each extra needs the extra_report_recipient option)`,
    );
  }
}

function businessHours(h: BusinessHours | null | undefined): BusinessHours | null {
  if (!h) return null;
  const errors = checkBusinessHours(h, 'businessHours');
  if (errors.length > 0) {
    throw new AppError('request.invalid', errors.map((e) => `${e.path}: ${e.message}`).join('; '), {
      errors,
    });
  }
  return h;
}

export interface TenantView extends Tenant {
  options: TenantOption[];
}

function emergencyContact(input: TenantInput['emergencyContact']): EmergencyContact | null {
  if (!input) return null;
  return {
    name: input.name.trim(),
    phone: input.phone ? normalisePhone(input.phone, 'emergencyContact.phone') : null,
    email: input.email ? normaliseEmail(input.email, 'emergencyContact.email') : null,
  };
}

export class TenantService {
  readonly #store: Store;
  readonly #quarantineDays: number;
  constructor(store: Store, opts: { quarantineDays: number }) {
    this.#store = store;
    this.#quarantineDays = opts.quarantineDays;
  }

  list(filter: { onlyId?: string; state?: TenantState; limit: number; offset: number }) {
    return this.#store.read((r) =>
      r.tenants.list({
        ids: filter.onlyId ? [filter.onlyId] : undefined,
        state: filter.state,
        limit: filter.limit,
        offset: filter.offset,
      }),
    );
  }

  async get(id: string): Promise<TenantView> {
    return this.#store.read(async (r) => {
      const t = await r.tenants.get(id);
      if (!t) throw new AppError('tenant.not_found', `no client company ${id}`);
      return { ...t, options: await r.tenants.listOptions(id) };
    });
  }

  create(actor: Actor, input: TenantInput): Promise<TenantView> {
    return this.#store.write(actor, async (tx) => {
      const planCode = input.planCode ?? 'start';
      if (!(await tx.repos.plans.get(planCode)))
        throw new AppError('plan.not_found', `no plan '${planCode}'`);
      const t: Tenant = {
        id: uuidv7(tx.nowDate.getTime()),
        name: input.name.trim(),
        nameKana: input.nameKana.trim(),
        address: input.address ?? '',
        industry: input.industry ?? '',
        greeting: input.greeting ?? '',
        operatorAlias: input.operatorAlias ?? '',
        companyInfo: input.companyInfo ?? '',
        handlingManual: input.handlingManual ?? '',
        emergencyContact: emergencyContact(input.emergencyContact),
        reportChannel: normaliseReportChannel(input.reportChannel ?? { kind: 'none' }),
        planCode,
        state: 'applied',
        businessHours: businessHours(input.businessHours),
        anonymousPolicy: input.anonymousPolicy ?? 'allow',
        urgentEscalation: input.urgentEscalation ?? null,
        reportWording: normaliseReportWording(input.reportWording ?? null),
        createdAt: tx.now,
        updatedAt: tx.now,
      };
      await tx.repos.tenants.insert(t);
      await checkRecipientLimit(tx, t);
      await tx.audit({
        action: 'tenant.create',
        entityType: 'tenant',
        entityId: t.id,
        tenantId: t.id,
        after: t,
      });
      return { ...t, options: [] };
    });
  }

  update(actor: Actor, id: string, patch: TenantPatch): Promise<TenantView> {
    return this.#store.write(actor, async (tx) => {
      const before = await this.#mutable(tx, id);
      if (actor.role === 'client_admin' || actor.role === 'client_user') {
        const forbidden = Object.keys(patch).filter(
          (k) => !clientEditableTenantFields.includes(k as keyof TenantPatch),
        );
        if (forbidden.length > 0) {
          throw new AppError(
            'auth.field_forbidden',
            `a client may not change ${forbidden.join(', ')}`,
          );
        }
      }
      const after: Tenant = { ...before, updatedAt: tx.now };
      if (patch.name !== undefined) after.name = patch.name.trim();
      if (patch.nameKana !== undefined) after.nameKana = patch.nameKana.trim();
      if (patch.address !== undefined) after.address = patch.address;
      if (patch.industry !== undefined) after.industry = patch.industry;
      if (patch.greeting !== undefined) after.greeting = patch.greeting;
      if (patch.operatorAlias !== undefined) after.operatorAlias = patch.operatorAlias;
      if (patch.companyInfo !== undefined) after.companyInfo = patch.companyInfo;
      if (patch.handlingManual !== undefined) after.handlingManual = patch.handlingManual;
      if (patch.emergencyContact !== undefined)
        after.emergencyContact = emergencyContact(patch.emergencyContact);
      if (patch.reportChannel !== undefined)
        after.reportChannel = normaliseReportChannel(patch.reportChannel);
      if (patch.businessHours !== undefined)
        after.businessHours = businessHours(patch.businessHours);
      if (patch.anonymousPolicy !== undefined) after.anonymousPolicy = patch.anonymousPolicy;
      if (patch.urgentEscalation !== undefined) after.urgentEscalation = patch.urgentEscalation;
      if (patch.reportWording !== undefined)
        after.reportWording = normaliseReportWording(patch.reportWording);
      if (patch.planCode !== undefined && patch.planCode !== before.planCode) {
        const plan = await tx.repos.plans.get(patch.planCode);
        if (!plan) throw new AppError('plan.not_found', `no plan '${patch.planCode}'`);
        const faqCount = await tx.repos.faq.count(id);
        if (plan.faqLimit !== null && faqCount > plan.faqLimit) {
          throw new AppError(
            'plan.faq_over_limit',
            `the tenant has ${faqCount} FAQ items; plan '${plan.code}' allows ${plan.faqLimit}`,
          );
        }
        after.planCode = plan.code;
      }
      await checkRecipientLimit(tx, after);
      await tx.repos.tenants.update(after);
      await tx.audit({
        action: 'tenant.update',
        entityType: 'tenant',
        entityId: id,
        tenantId: id,
        before,
        after,
      });
      return { ...after, options: await tx.repos.tenants.listOptions(id) };
    });
  }

  /** Moves the lifecycle; cancelling releases every lent number into quarantine. */
  transition(actor: Actor, id: string, to: TenantState): Promise<TenantView> {
    return this.#store.write(actor, async (tx) => {
      const before = await tx.repos.tenants.get(id);
      if (!before) throw new AppError('tenant.not_found', `no client company ${id}`);
      const after: Tenant = {
        ...before,
        state: transitionTenant(before.state, to),
        updatedAt: tx.now,
      };
      await tx.repos.tenants.update(after);
      await tx.audit({
        action: 'tenant.transition',
        entityType: 'tenant',
        entityId: id,
        tenantId: id,
        before: { state: before.state },
        after: { state: to },
      });
      if (to === 'cancelled') {
        for (const n of await tx.repos.numbers.list({ tenantId: id })) {
          await releaseNumber(tx, n, this.#quarantineDays);
        }
      }
      return { ...after, options: await tx.repos.tenants.listOptions(id) };
    });
  }

  setOption(actor: Actor, id: string, code: string, quantity: number): Promise<TenantView> {
    return this.#store.write(actor, async (tx) => {
      const t = await this.#mutable(tx, id);
      if (!(await tx.repos.plans.getOption(code)))
        throw new AppError('plan.option_not_found', `no option '${code}'`);
      const before = await tx.repos.tenants.listOptions(id);
      await tx.repos.tenants.setOption(id, code, quantity);
      await checkRecipientLimit(tx, t);
      const options = await tx.repos.tenants.listOptions(id);
      await tx.audit({
        action: 'tenant.option',
        entityType: 'tenant',
        entityId: id,
        tenantId: id,
        before,
        after: options,
      });
      return { ...t, options };
    });
  }

  async #mutable(tx: Tx, id: string): Promise<Tenant> {
    const t = await tx.repos.tenants.get(id);
    if (!t) throw new AppError('tenant.not_found', `no client company ${id}`);
    if (t.state === 'cancelled')
      throw new AppError('tenant.cancelled', 'a cancelled client company cannot change');
    return t;
  }
}
