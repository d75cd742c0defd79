/**
 * The entry point for an inbound call, called by the SIP layer with the INVITE's facts and
 * a channel: trunk check, admission, the number's flow, the session, and the call record.
 * The record is written whatever happens, so no call goes unaccounted for.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { uuidv7 } from '../ids.ts';
import type { CallLeg, CallRecord } from '../repositories/call-record-repository.ts';
import type { PhoneNumberRecord } from '../repositories/phone-number-repository.ts';
import type { Tenant } from '../repositories/tenant-repository.ts';
import type { Trunk } from '../repositories/trunk-repository.ts';
import type { Services } from '../services/index.ts';
import { systemActor } from '../services/store.ts';
import { admit, normaliseCaller, trunkFor } from './admission.ts';
import type { CallContext } from './call-context.ts';
import { type CallSummary, runCallSession } from './call-session.ts';
import type { CallChannel, OutboundRoute } from './channel.ts';
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

/** Calls to phone numbers leave through the trunk the call came in on, else the first that can. */
function outboundRoute(trunks: Trunk[], inboundTrunkId: string): OutboundRoute | null {
  const t =
    trunks.find((x) => x.id === inboundTrunkId && x.enabled && x.outbound) ??
    trunks.find((x) => x.enabled && x.outbound);
  return t?.outbound
    ? { trunkId: t.id, target: t.outbound.target, numberFormat: t.outbound.numberFormat }
    : null;
}

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
    const trunks = await this.#services.trunks.listWithSecrets();
    const trunk = trunkFor(trunks, call.sourceAddress);
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
      // E.164 like every other record; a caller ID that is no phone number is kept as sent.
      const refusedCaller = offer.withheld ? null : (normaliseCaller(offer.caller) ?? offer.caller);
      this.#log?.info(
        { sipCallId: call.sipCallId, status: admission.status, reason: admission.reason },
        'inbound call refused',
      );
      if (admission.tenantId) {
        const endedAt = this.#clock.now().toISOString();
        await this.#record(
          {
            ...base,
            tenantId: admission.tenantId,
            numberId: admission.numberId,
            caller: refusedCaller,
            answeredAt: null,
            endedAt,
            hangupBy: 'platform',
            sipStatus: admission.status,
            disposition: admission.disposition,
            billable: false,
            flowId: null,
            flowVersion: null,
            trace: [`refused ${admission.status}: ${admission.reason}`],
            handlingStatus: 'open',
          },
          [
            {
              id: uuidv7(offeredAt.getTime()),
              callId,
              kind: 'inbound',
              peer: call.sourceAddress,
              sipCallId: call.sipCallId,
              fromNumber: refusedCaller,
              toNumber: offer.dialed,
              startedAt: offeredAt.toISOString(),
              answeredAt: null,
              endedAt,
              outcome: 'rejected',
              hangupBy: 'platform',
              sipStatus: admission.status,
              rtpStats: null,
            },
          ],
        );
      }
      return {
        kind: 'rejected',
        status: admission.status,
        reason: admission.reason,
        callId: admission.tenantId ? callId : null,
      };
    }

    const { tenant, number, caller } = admission;
    call.channel.usePromptFiles?.(await this.#services.prompts.filesFor(tenant.id));
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
      outboundRoute: outboundRoute(trunks, trunk.id),
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
    // The channel's measurements: the caller leg's RTP counters and each outbound leg.
    const media = await call.channel.report?.().catch(() => undefined);
    const legs: CallLeg[] = [
      {
        id: uuidv7(offeredAt.getTime()),
        callId,
        kind: 'inbound',
        peer: call.sourceAddress,
        sipCallId: call.sipCallId,
        fromNumber: caller,
        toNumber: number.e164,
        startedAt: offeredAt.toISOString(),
        answeredAt: summary.answeredAt,
        endedAt: summary.endedAt,
        // Never answered: the caller gave up (CANCEL), the message played over early media
        // (announcement-only), or we ended it with a final response.
        outcome: summary.answeredAt
          ? 'answered'
          : summary.hungUpBy === 'caller'
            ? 'cancelled'
            : summary.disposition === 'announcement'
              ? 'early_media'
              : 'rejected',
        hangupBy: summary.hungUpBy,
        sipStatus: null,
        rtpStats: media?.rtpStats ? { ...media.rtpStats } : null,
      },
      ...(media?.outbound ?? []).map(
        (l): CallLeg => ({
          ...l,
          id: uuidv7(new Date(l.startedAt).getTime()),
          callId,
          kind: 'outbound',
          rtpStats: l.rtpStats ? { ...l.rtpStats } : null,
        }),
      ),
    ];
    const record: CallRecord = {
      ...base,
      rtpStats: legs[0]!.rtpStats,
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
    if (summary.disposition === 'voicemail')
      await this.#recordVoicemail(record, tenant, number, legs);
    else await this.#record(record, legs);
    // Rated after the record is stored: a rating failure never costs the CDR (and the
    // charges API rates a call that was left unrated).
    await this.#services.charges.rateCall(callId).catch((err: Error) => {
      this.#log?.error({ callId, err: err.message }, 'rating failed');
    });
    this.#log?.info(
      { callId, sipCallId: call.sipCallId, disposition: summary.disposition },
      'call ended',
    );
    return { kind: 'handled', callId, summary };
  }

  #record(c: CallRecord, legs: CallLeg[]): Promise<void> {
    return this.#services.store.read(async (r) => {
      await r.calls.insert(c);
      await r.calls.insertLegs(legs);
    });
  }

  /** A voicemail: the call record and the report that tells the client, in one transaction. */
  #recordVoicemail(
    c: CallRecord,
    tenant: Tenant,
    number: PhoneNumberRecord,
    legs: CallLeg[],
  ): Promise<void> {
    return this.#services.store.write(systemActor, async (tx) => {
      await tx.repos.calls.insert(c);
      await tx.repos.calls.insertLegs(legs);
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
