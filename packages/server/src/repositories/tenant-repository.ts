import type { TenantsTable } from '../db/schema.ts';
import type { BusinessHours } from '../domain/call-flow/business-hours.ts';
import type { ReportChannel } from '../domain/report-channel.ts';
import type { ReportWording } from '../domain/report-wording.ts';
import type { TenantState } from '../domain/tenant-lifecycle.ts';
import { type Executor, parseJson, toCount } from './executor.ts';

export interface EmergencyContact {
  name: string;
  phone: string | null;
  email: string | null;
}

export interface Tenant {
  id: string;
  name: string;
  nameKana: string;
  address: string;
  industry: string;
  /** What the operator says on answering: 「お電話ありがとうございます。株式会社〇〇でございます。」 */
  greeting: string;
  operatorAlias: string;
  companyInfo: string;
  handlingManual: string;
  emergencyContact: EmergencyContact | null;
  reportChannel: ReportChannel;
  planCode: string;
  state: TenantState;
  /** null = always open */
  businessHours: BusinessHours | null;
  /** What happens to callers who withhold their number. */
  anonymousPolicy: AnonymousPolicy;
  /** Urgent reports not acknowledged within `afterMinutes` go to the next person on the
   * roster or to the emergency contact. null = no escalation. */
  urgentEscalation: UrgentEscalation | null;
  /** The client's own wording for its reports (plain text). */
  reportWording: ReportWording | null;
  createdAt: string;
  updatedAt: string;
}

export interface UrgentEscalation {
  afterMinutes: number;
  target: 'next_in_roster' | 'emergency_contact';
}

export const anonymousPolicies = ['allow', 'reject'] as const;
export type AnonymousPolicy = (typeof anonymousPolicies)[number];

export interface TenantOption {
  code: string;
  quantity: number;
}

const toTenant = (r: TenantsTable): Tenant => ({
  id: r.id,
  name: r.name,
  nameKana: r.name_kana,
  address: r.address,
  industry: r.industry,
  greeting: r.greeting,
  operatorAlias: r.operator_alias,
  companyInfo: r.company_info,
  handlingManual: r.handling_manual,
  emergencyContact: parseJson<EmergencyContact | null>(r.emergency_contact, null),
  reportChannel: parseJson<ReportChannel>(r.report_channel, { kind: 'none' }),
  planCode: r.plan_code,
  state: r.state as TenantState,
  businessHours: parseJson<BusinessHours | null>(r.business_hours, null),
  anonymousPolicy: r.anonymous_policy as AnonymousPolicy,
  urgentEscalation: parseJson<UrgentEscalation | null>(r.urgent_escalation, null),
  reportWording: parseJson<ReportWording | null>(r.report_wording, null),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toRow = (t: Tenant): TenantsTable => ({
  id: t.id,
  name: t.name,
  name_kana: t.nameKana,
  address: t.address,
  industry: t.industry,
  greeting: t.greeting,
  operator_alias: t.operatorAlias,
  company_info: t.companyInfo,
  handling_manual: t.handlingManual,
  emergency_contact: JSON.stringify(t.emergencyContact),
  report_channel: JSON.stringify(t.reportChannel),
  plan_code: t.planCode,
  state: t.state,
  business_hours: t.businessHours ? JSON.stringify(t.businessHours) : null,
  anonymous_policy: t.anonymousPolicy,
  urgent_escalation: t.urgentEscalation ? JSON.stringify(t.urgentEscalation) : null,
  report_wording: t.reportWording ? JSON.stringify(t.reportWording) : null,
  created_at: t.createdAt,
  updated_at: t.updatedAt,
});

export class TenantRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async list(opts: {
    ids?: string[];
    state?: TenantState;
    limit: number;
    offset: number;
  }): Promise<{ items: Tenant[]; total: number }> {
    let q = this.#db.selectFrom('tenants');
    if (opts.ids) q = q.where('id', 'in', opts.ids.length ? opts.ids : ['']);
    if (opts.state) q = q.where('state', '=', opts.state);
    const [rows, count] = await Promise.all([
      q
        .selectAll()
        .orderBy('name_kana')
        .orderBy('id')
        .limit(opts.limit)
        .offset(opts.offset)
        .execute(),
      q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map(toTenant), total: toCount(count?.n) };
  }

  async get(id: string): Promise<Tenant | undefined> {
    const r = await this.#db
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toTenant(r);
  }

  async insert(t: Tenant): Promise<void> {
    await this.#db.insertInto('tenants').values(toRow(t)).execute();
  }

  async update(t: Tenant): Promise<void> {
    const { id, created_at, ...rest } = toRow(t);
    await this.#db.updateTable('tenants').set(rest).where('id', '=', id).execute();
  }

  async listOptions(tenantId: string): Promise<TenantOption[]> {
    const rows = await this.#db
      .selectFrom('tenant_options')
      .select(['option_code', 'quantity'])
      .where('tenant_id', '=', tenantId)
      .orderBy('option_code')
      .execute();
    return rows.map((r) => ({ code: r.option_code, quantity: r.quantity }));
  }

  async setOption(tenantId: string, code: string, quantity: number): Promise<void> {
    await this.#db
      .deleteFrom('tenant_options')
      .where('tenant_id', '=', tenantId)
      .where('option_code', '=', code)
      .execute();
    if (quantity > 0) {
      await this.#db
        .insertInto('tenant_options')
        .values({ tenant_id: tenantId, option_code: code, quantity })
        .execute();
    }
  }
}
