import type { MessagesTable } from '../db/schema.ts';
import { type Executor, fromBool, toBool } from './executor.ts';

/** A message an operator took (受電メモ). */
export interface CallMessage {
  id: string;
  tenantId: string;
  callId: string | null;
  numberId: string | null;
  callerCompany: string;
  callerName: string;
  callerNumber: string | null;
  callbackNumber: string | null;
  callbackWindowStart: string | null;
  callbackWindowEnd: string | null;
  purpose: string;
  /** The employee the caller asked for (名指し人). */
  namedStaffId: string | null;
  urgent: boolean;
  complaint: boolean;
  /** The caller's mood and anything else worth knowing. */
  notes: string;
  operatorAlias: string;
  takenBy: string;
  createdAt: string;
}

const toMessage = (r: MessagesTable): CallMessage => ({
  id: r.id,
  tenantId: r.tenant_id,
  callId: r.call_id,
  numberId: r.number_id,
  callerCompany: r.caller_company,
  callerName: r.caller_name,
  callerNumber: r.caller_number,
  callbackNumber: r.callback_number,
  callbackWindowStart: r.callback_window_start,
  callbackWindowEnd: r.callback_window_end,
  purpose: r.purpose,
  namedStaffId: r.named_staff_id,
  urgent: toBool(r.urgent),
  complaint: toBool(r.complaint),
  notes: r.notes,
  operatorAlias: r.operator_alias,
  takenBy: r.taken_by,
  createdAt: r.created_at,
});

export class MessageRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(m: CallMessage): Promise<void> {
    await this.#db
      .insertInto('messages')
      .values({
        id: m.id,
        tenant_id: m.tenantId,
        call_id: m.callId,
        number_id: m.numberId,
        caller_company: m.callerCompany,
        caller_name: m.callerName,
        caller_number: m.callerNumber,
        callback_number: m.callbackNumber,
        callback_window_start: m.callbackWindowStart,
        callback_window_end: m.callbackWindowEnd,
        purpose: m.purpose,
        named_staff_id: m.namedStaffId,
        urgent: fromBool(m.urgent),
        complaint: fromBool(m.complaint),
        notes: m.notes,
        operator_alias: m.operatorAlias,
        taken_by: m.takenBy,
        created_at: m.createdAt,
      })
      .execute();
  }

  async get(tenantId: string, id: string): Promise<CallMessage | undefined> {
    const r = await this.#db
      .selectFrom('messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toMessage(r);
  }

  async list(tenantId: string, limit: number, before?: string): Promise<CallMessage[]> {
    let q = this.#db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId);
    if (before) q = q.where('id', '<', before);
    return (await q.orderBy('id', 'desc').limit(limit).execute()).map(toMessage);
  }
}
