import type { PhoneNumbersTable } from '../db/schema.ts';
import type { NumberKind } from '../domain/phone-number.ts';
import type { NumberState, UsageMode } from '../domain/phone-number-state.ts';
import { type Executor, fromBool, toBool } from './executor.ts';

export interface PhoneNumberRecord {
  id: string;
  e164: string;
  kind: NumberKind;
  state: NumberState;
  tenantId: string | null;
  usageMode: UsageMode | null;
  purpose: string;
  /** E.164 or sip: URI the platform forwards to (self-answer, forwarding destination). */
  destination: string | null;
  selfAnswer: boolean;
  canOriginate: boolean;
  quarantinedUntil: string | null;
  note: string;
  /** The call flow this number runs; null = the default for its usage mode. */
  flowId: string | null;
  createdAt: string;
  updatedAt: string;
}

const toRecord = (r: PhoneNumbersTable): PhoneNumberRecord => ({
  id: r.id,
  e164: r.e164,
  kind: r.kind as NumberKind,
  state: r.state as NumberState,
  tenantId: r.tenant_id,
  usageMode: r.usage_mode as UsageMode | null,
  purpose: r.purpose,
  destination: r.destination,
  selfAnswer: toBool(r.self_answer),
  canOriginate: toBool(r.can_originate),
  quarantinedUntil: r.quarantined_until,
  note: r.note,
  flowId: r.flow_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toRow = (n: PhoneNumberRecord): PhoneNumbersTable => ({
  id: n.id,
  e164: n.e164,
  kind: n.kind,
  state: n.state,
  tenant_id: n.tenantId,
  usage_mode: n.usageMode,
  purpose: n.purpose,
  destination: n.destination,
  self_answer: fromBool(n.selfAnswer),
  can_originate: fromBool(n.canOriginate),
  quarantined_until: n.quarantinedUntil,
  note: n.note,
  flow_id: n.flowId,
  created_at: n.createdAt,
  updated_at: n.updatedAt,
});

export class PhoneNumberRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async list(filter: {
    tenantId?: string;
    state?: NumberState;
    kind?: NumberKind;
  }): Promise<PhoneNumberRecord[]> {
    let q = this.#db.selectFrom('phone_numbers').selectAll();
    if (filter.tenantId !== undefined) q = q.where('tenant_id', '=', filter.tenantId);
    if (filter.state !== undefined) q = q.where('state', '=', filter.state);
    if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
    const rows = await q.orderBy('e164').execute();
    return rows.map(toRecord);
  }

  async get(id: string): Promise<PhoneNumberRecord | undefined> {
    const r = await this.#db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toRecord(r);
  }

  async getByE164(e164: string): Promise<PhoneNumberRecord | undefined> {
    const r = await this.#db
      .selectFrom('phone_numbers')
      .selectAll()
      .where('e164', '=', e164)
      .executeTakeFirst();
    return r && toRecord(r);
  }

  async insert(n: PhoneNumberRecord): Promise<void> {
    await this.#db.insertInto('phone_numbers').values(toRow(n)).execute();
  }

  async update(n: PhoneNumberRecord): Promise<void> {
    const { id, created_at, e164, ...rest } = toRow(n);
    await this.#db.updateTable('phone_numbers').set(rest).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('phone_numbers').where('id', '=', id).execute();
  }
}
