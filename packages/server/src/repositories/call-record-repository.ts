import type { CallLegsTable, CallsTable } from '../db/schema.ts';
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

/**
 * One leg of a call: the caller's leg into the platform ('inbound') and every attempt to
 * reach someone else ('outbound': a forward to the client's phone, a trunk dial-out).
 */
export interface CallLeg {
  id: string;
  callId: string;
  kind: 'inbound' | 'outbound';
  /** The other side: the caller's address for the inbound leg, the dialled URI outbound. */
  peer: string;
  sipCallId: string | null;
  /** E.164 (or null when withheld/unknown) on each end of the leg. */
  fromNumber: string | null;
  toNumber: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  /**
   * The leg's disposition: answered | no_answer | busy | failed | cancelled | rejected, and
   * early_media for an announcement played before (and instead of) answering.
   */
  outcome: string;
  /** Who ended the leg: 'caller'/'callee' (the far end), 'platform' (us). */
  hangupBy: 'caller' | 'callee' | 'platform' | null;
  /** The final SIP status of an unanswered leg (486, 487, 603…). */
  sipStatus: number | null;
  rtpStats: Record<string, unknown> | null;
}

const toLeg = (r: CallLegsTable): CallLeg => ({
  id: r.id,
  callId: r.call_id,
  kind: r.kind as CallLeg['kind'],
  peer: r.peer,
  sipCallId: r.sip_call_id,
  fromNumber: r.from_number,
  toNumber: r.to_number,
  startedAt: r.started_at,
  answeredAt: r.answered_at,
  endedAt: r.ended_at,
  outcome: r.outcome,
  hangupBy: r.hangup_by as CallLeg['hangupBy'],
  sipStatus: r.sip_status,
  rtpStats: parseJson<Record<string, unknown> | null>(r.rtp_stats, null),
});

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

  async insertLegs(legs: CallLeg[]): Promise<void> {
    if (legs.length === 0) return;
    await this.#db
      .insertInto('call_legs')
      .values(
        legs.map((l) => ({
          id: l.id,
          call_id: l.callId,
          kind: l.kind,
          peer: l.peer,
          sip_call_id: l.sipCallId,
          from_number: l.fromNumber,
          to_number: l.toNumber,
          started_at: l.startedAt,
          answered_at: l.answeredAt,
          ended_at: l.endedAt,
          outcome: l.outcome,
          hangup_by: l.hangupBy,
          sip_status: l.sipStatus,
          rtp_stats: l.rtpStats ? JSON.stringify(l.rtpStats) : null,
        })),
      )
      .execute();
  }

  /** A call's legs in the order they started. */
  async legs(callId: string): Promise<CallLeg[]> {
    return (
      await this.#db
        .selectFrom('call_legs')
        .selectAll()
        .where('call_id', '=', callId)
        .orderBy('started_at')
        .orderBy('id')
        .execute()
    ).map(toLeg);
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
