import type { CallsTable } from '../db/schema.ts';
import type { Disposition } from '../call-control/call-context.ts';
import { type Executor, fromBool, parseJson, toBool } from './executor.ts';

/** A call detail record (CDR). */
export interface CallRecord {
  id: string;
  tenantId: string | null;
  numberId: string | null;
  trunkId: string | null;
  sipCallId: string;
  dialed: string;
  caller: string | null;
  callerWithheld: boolean;
  offeredAt: string;
  answeredAt: string | null;
  endedAt: string;
  hangupBy: 'caller' | 'platform' | 'callee';
  /** The final response for refused calls (404, 603…); null for calls we answered. */
  sipStatus: number | null;
  disposition: Disposition;
  /** False for blocked, screened-out and refused calls: not billed as handled. */
  billable: boolean;
  queueWaitMs: number | null;
  recording: string | null;
  callbackTaskId: string | null;
  flowId: string | null;
  flowVersion: number | null;
  rtpStats: Record<string, unknown> | null;
  trace: string[];
  /** How far the client has dealt with the call: 未対応 open, 対応中 in_progress, 対応済 done. */
  handlingStatus: HandlingStatus;
}

export const handlingStatuses = ['open', 'in_progress', 'done'] as const;
export type HandlingStatus = (typeof handlingStatuses)[number];

const toRecord = (r: CallsTable): CallRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  numberId: r.number_id,
  trunkId: r.trunk_id,
  sipCallId: r.sip_call_id,
  dialed: r.dialed,
  caller: r.caller,
  callerWithheld: toBool(r.caller_withheld),
  offeredAt: r.offered_at,
  answeredAt: r.answered_at,
  endedAt: r.ended_at,
  hangupBy: r.hangup_by as CallRecord['hangupBy'],
  sipStatus: r.sip_status,
  disposition: r.disposition as Disposition,
  billable: toBool(r.billable),
  queueWaitMs: r.queue_wait_ms,
  recording: r.recording,
  callbackTaskId: r.callback_task_id,
  flowId: r.flow_id,
  flowVersion: r.flow_version,
  rtpStats: parseJson<Record<string, unknown> | null>(r.rtp_stats, null),
  trace: parseJson<string[]>(r.trace, []),
  handlingStatus: r.handling_status as HandlingStatus,
});

export class CallRecordRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(c: CallRecord): Promise<void> {
    await this.#db
      .insertInto('calls')
      .values({
        id: c.id,
        tenant_id: c.tenantId,
        number_id: c.numberId,
        trunk_id: c.trunkId,
        sip_call_id: c.sipCallId,
        dialed: c.dialed,
        caller: c.caller,
        caller_withheld: fromBool(c.callerWithheld),
        offered_at: c.offeredAt,
        answered_at: c.answeredAt,
        ended_at: c.endedAt,
        hangup_by: c.hangupBy,
        sip_status: c.sipStatus,
        disposition: c.disposition,
        billable: fromBool(c.billable),
        queue_wait_ms: c.queueWaitMs,
        recording: c.recording,
        callback_task_id: c.callbackTaskId,
        flow_id: c.flowId,
        flow_version: c.flowVersion,
        rtp_stats: c.rtpStats ? JSON.stringify(c.rtpStats) : null,
        trace: JSON.stringify(c.trace),
        handling_status: c.handlingStatus,
      })
      .execute();
  }

  async setHandlingStatus(id: string, status: HandlingStatus): Promise<void> {
    await this.#db
      .updateTable('calls')
      .set({ handling_status: status })
      .where('id', '=', id)
      .execute();
  }

  async get(id: string): Promise<CallRecord | undefined> {
    const r = await this.#db
      .selectFrom('calls')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toRecord(r);
  }

  /** Newest first; `before` is an id cursor (ids are time-ordered). */
  async list(filter: {
    tenantId?: string;
    from?: string;
    to?: string;
    disposition?: string;
    before?: string;
    limit: number;
  }): Promise<CallRecord[]> {
    let q = this.#db.selectFrom('calls').selectAll();
    if (filter.tenantId !== undefined) q = q.where('tenant_id', '=', filter.tenantId);
    if (filter.from !== undefined) q = q.where('offered_at', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('offered_at', '<', filter.to);
    if (filter.disposition !== undefined) q = q.where('disposition', '=', filter.disposition);
    if (filter.before !== undefined) q = q.where('id', '<', filter.before);
    return (await q.orderBy('id', 'desc').limit(filter.limit).execute()).map(toRecord);
  }
}
