/**
 * The entry point for an inbound call, called by the SIP layer with the INVITE's facts and
 * a channel: trunk check, admission, the number's flow, the session, and the call record.
 * The record is written whatever happens, so no call goes unaccounted for.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { uuidv7 } from '../ids.ts';
import type { CallRecord } from '../repositories/call-record-repository.ts';
import type { PhoneNumberRecord } from '../repositories/phone-number-repository.ts';
import type { Tenant } from '../repositories/tenant-repository.ts';
import type { Services } from '../services/index.ts';
import { systemActor } from '../services/store.ts';
import { admit, trunkFor } from './admission.ts';
import type { CallContext } from './call-context.ts';
import { type CallSummary, runCallSession } from './call-session.ts';
import type { CallChannel } from './channel.ts';
import { type InviteIdentity, readOffer } from './inbound-offer.ts';
import type { QueueManager } from './queue-manager.ts';

export interface InboundCall {
  sipCallId: string;
  sourceAddress: string;
  identity: InviteIdentity;
  channel: CallChannel;
}

export type InboundResult =
  | { kind: 'rejected'; status: number; reason: string; callId: string | null }
  | { kind: 'handled'; callId: string; summary: CallSummary };

export class InboundCallHandler {
  readonly #services: Services;
  readonly #queues: QueueManager;
  readonly #clock: Clock;
  readonly #log: Logger | undefined;

  constructor(deps: { services: Services; queues: QueueManager; clock: Clock; log?: Logger }) {
    this.#services = deps.services;
    this.#queues = deps.queues;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  async handle(call: InboundCall): Promise<InboundResult> {
    const offeredAt = this.#clock.now();
    const trunk = trunkFor(await this.#services.trunks.listWithSecrets(), call.sourceAddress);
    if (!trunk) {
      // Not from a carrier we know: refused without a record (floods would fill the table).
      this.#log?.warn(
        { source: call.sourceAddress, sipCallId: call.sipCallId },
        'INVITE from an unknown source refused',
      );
      return { kind: 'rejected', status: 403, reason: 'unknown source', callId: null };
    }
    const offer = readOffer(call.identity, {
      dialedFrom: trunk.dialedNumberFrom,
      callerFrom: trunk.callerIdFrom,
    });
    const admission = await admit(this.#services, offer, offeredAt);
    const callId = uuidv7(offeredAt.getTime());
    const base = {
      id: callId,
      trunkId: trunk.id,
      sipCallId: call.sipCallId,
      dialed: offer.dialed ?? '',
      callerWithheld: offer.withheld,
      offeredAt: offeredAt.toISOString(),
      queueWaitMs: null,
      recording: null,
      callbackTaskId: null,
      rtpStats: null,
    };

    if (admission.kind === 'reject') {
      this.#log?.info(
        { sipCallId: call.sipCallId, status: admission.status, reason: admission.reason },
        'inbound call refused',
      );
      if (admission.tenantId) {
        await this.#record({
          ...base,
          tenantId: admission.tenantId,
          numberId: admission.numberId,
          caller: offer.caller,
          answeredAt: null,
          endedAt: this.#clock.now().toISOString(),
          hangupBy: 'platform',
          sipStatus: admission.status,
          disposition: admission.disposition,
          billable: false,
          flowId: null,
          flowVersion: null,
          trace: [`refused ${admission.status}: ${admission.reason}`],
          handlingStatus: 'open',
        });
      }
      return {
        kind: 'rejected',
        status: admission.status,
        reason: admission.reason,
        callId: admission.tenantId ? callId : null,
      };
    }

    const { tenant, number, caller } = admission;
    const { flow, flowId, version } = await this.#services.flows.forNumber(number);
    const trace: string[] = [];
    const ctx: CallContext = {
      callId,
      channel: call.channel,
      tenant,
      number,
      caller,
      clock: this.#clock,
      queues: this.#queues,
      vars: new Map(),
      businessHours: () => tenant.businessHours,
      disposition: 'abandoned',
      callbackTaskId: null,
      queueWaitMs: null,
      recording: null,
      billable: true,
      createCallback: async (input) => {
        const t = await this.#services.callbacks.create(systemActor, tenant.id, {
          ...input,
          callId,
          call: {
            dialed: number.e164,
            numberPurpose: number.purpose,
            caller,
            at: offeredAt.toISOString(),
          },
        });
        ctx.callbackTaskId = t.id;
        trace.push(`callback task ${t.id} (${input.source})`);
        return t.id;
      },
      trace: (event) => {
        trace.push(
          `${((this.#clock.now().getTime() - offeredAt.getTime()) / 1000).toFixed(1)}s ${event}`,
        );
      },
    };
    const summary = await runCallSession(ctx, flow, trace);
    // PRODUCT.md: missed and abandoned calls become callback tasks with the caller's number
    // (and so a report). Queue and callback-entry abandonment leave theirs already.
    if (summary.disposition === 'abandoned' && caller && !summary.callbackTaskId) {
      try {
        summary.callbackTaskId = await ctx.createCallback({
          callbackNumber: caller,
          windowStart: null,
          windowEnd: null,
          reason: '不在着信: 用件を伺う前に切断 (hung up before being helped)',
          source: 'missed',
        });
      } catch (err) {
        // A caller ID we cannot dial back (foreign, malformed) leaves the record only.
        trace.push(`no callback task: ${(err as Error).message}`);
      }
    }
    const record: CallRecord = {
      ...base,
      tenantId: tenant.id,
      numberId: number.id,
      caller,
      answeredAt: summary.answeredAt,
      endedAt: summary.endedAt,
      hangupBy: summary.hungUpBy,
      sipStatus: null,
      disposition: summary.disposition,
      billable: summary.billable,
      queueWaitMs: summary.queueWaitMs,
      recording: summary.recording,
      callbackTaskId: summary.callbackTaskId,
      flowId,
      flowVersion: version,
      trace: summary.trace,
      handlingStatus: 'open',
    };
    if (summary.disposition === 'voicemail') await this.#recordVoicemail(record, tenant, number);
    else await this.#record(record);
    this.#log?.info(
      { callId, sipCallId: call.sipCallId, disposition: summary.disposition },
      'call ended',
    );
    return { kind: 'handled', callId, summary };
  }

  #record(c: CallRecord): Promise<void> {
    return this.#services.store.read((r) => r.calls.insert(c));
  }

  /** A voicemail: the call record and the report that tells the client, in one transaction. */
  #recordVoicemail(c: CallRecord, tenant: Tenant, number: PhoneNumberRecord): Promise<void> {
    return this.#services.store.write(systemActor, async (tx) => {
      await tx.repos.calls.insert(c);
      await this.#services.reports.enqueue(tx, {
        tenant,
        source: 'voicemail',
        sourceId: c.id,
        callId: c.id,
        content: {
          kind: 'voicemail',
          dialed: number.e164,
          numberPurpose: number.purpose,
          at: c.offeredAt,
          caller: c.caller,
          ...(c.recording ? { recording: c.recording } : {}),
        },
      });
    });
  }
}
