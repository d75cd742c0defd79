/**
 * CallChannel over a real SIP dialog and a media-engine endpoint: what call control's
 * verbs do, done with SIP (183/200/BYE/final responses) and RTP (prompts, DTMF, recording).
 *
 *   offered ──earlyMedia()──► early ──answer()──► answered ──hangup()/BYE──► ended
 *      └──────────answer()────────────────────────┘
 *
 * Digits arrive as RFC 4733 events from the engine or as SIP INFO (application/dtmf-relay,
 * application/dtmf); both land in one buffer that `collect` reads.
 */
import { join } from 'node:path';
import { type EndpointId, type MediaEngine, parseSipInfoDtmf } from '@uketsuke/media';
import type { IncomingInviteSession, SipEndpoint } from '@uketsuke/sip';
import {
  type CallChannel,
  CallEnded,
  type ChannelState,
  type CollectOptions,
  type CollectResult,
  type DialOptions,
  type DialResult,
  type LegReport,
  type PromptRef,
  type RtpStats,
} from '../call-control/channel.ts';
import type { Clock } from '../clock.ts';
import { outboundRequest } from './outbound-request.ts';

export interface SipCallChannelOptions {
  engine: MediaEngine;
  endpoint: SipEndpoint;
  recordingsDir: string;
  callTag: string;
  /** Timestamps of the legs (the server's clock, so they line up with the call record). */
  clock: Clock;
}

function rtpStatsOf(s: {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  jitterMs: number;
  mos: number;
}): RtpStats {
  return {
    packetsSent: s.packetsSent,
    packetsReceived: s.packetsReceived,
    packetsLost: s.packetsLost,
    jitterMs: Math.round(s.jitterMs * 100) / 100,
    mos: Math.round(s.mos * 100) / 100,
  };
}

function readbackParams(p: PromptRef['params']): Record<string, unknown> {
  if (!p) return {};
  const out: Record<string, unknown> = {};
  // Read numbers the way they are dialled in Japan: +81 3… → 03…
  if (p.digits)
    out.digits = p.digits.startsWith('+81') ? `0${p.digits.slice(3)}` : p.digits.replace(/^\+/, '');
  if (p.window) {
    const s = new Date(new Date(p.window.start).getTime() + 9 * 3600_000);
    const e = new Date(new Date(p.window.end).getTime() + 9 * 3600_000);
    out.window = {
      month: s.getUTCMonth() + 1,
      day: s.getUTCDate(),
      startHour: s.getUTCHours(),
      endHour: e.getUTCHours() === 0 ? 24 : e.getUTCHours(),
    };
  }
  if (p.position !== undefined) out.position = p.position;
  if (p.minutes !== undefined) out.minutes = p.minutes;
  return out;
}

export class SipCallChannel implements CallChannel {
  #state: ChannelState = 'offered';
  /** The client's own recordings replacing system prompts (prompt name → WAV file). */
  #promptFiles: ReadonlyMap<string, string> = new Map();
  readonly #session: IncomingInviteSession;
  readonly #o: SipCallChannelOptions;
  #media: Promise<{ id: EndpointId; sdp: string }> | undefined;
  #mediaId: EndpointId | undefined;
  readonly #digits: string[] = [];
  #wakeCollector: (() => void) | undefined;
  #resolveEnded!: (e: CallEnded) => void;
  readonly #ended: Promise<CallEnded>;
  #endedBy: 'caller' | 'platform' | undefined;
  readonly #onDtmf: (e: { id: EndpointId; digit: string }) => void;
  #recording = false;
  /** The caller leg's RTP counters, read just before its media endpoint goes away. */
  #finalStats: Promise<RtpStats | null> = Promise.resolve(null);
  readonly #legs: LegReport[] = [];

  constructor(session: IncomingInviteSession, opts: SipCallChannelOptions) {
    this.#session = session;
    this.#o = opts;
    this.#ended = new Promise((r) => {
      this.#resolveEnded = r;
    });
    this.#onDtmf = (e) => {
      if (e.id === this.#mediaId) this.#pushDigit(e.digit);
    };
    opts.engine.on('dtmf', this.#onDtmf);
    session.on('info', (info) => {
      const d = info.contentType ? parseSipInfoDtmf(info.contentType, info.body) : undefined;
      if (d) this.#pushDigit(d.digit);
    });
    session.on('ended', (end) => this.#finish(end.by === 'remote' ? 'caller' : 'platform'));
  }

  get state(): ChannelState {
    return this.#state;
  }

  #pushDigit(digit: string): void {
    this.#digits.push(digit);
    this.#wakeCollector?.();
  }

  #finish(by: 'caller' | 'platform'): void {
    if (this.#endedBy) return;
    this.#endedBy = by;
    this.#state = 'ended';
    this.#o.engine.off('dtmf', this.#onDtmf);
    this.#resolveEnded(new CallEnded(by));
    this.#wakeCollector?.();
    if (this.#mediaId) this.#finalStats = this.#statsThenDestroy(this.#mediaId);
  }

  async #statsThenDestroy(id: EndpointId): Promise<RtpStats | null> {
    let stats: RtpStats | null = null;
    try {
      stats = rtpStatsOf(await this.#o.engine.stats(id));
    } catch {}
    await this.#o.engine.destroy(id).catch(() => {});
    return stats;
  }

  #live(): void {
    if (this.#endedBy) throw new CallEnded(this.#endedBy);
  }

  /** Races an operation against the end of the call. */
  async #orEnded<T>(p: Promise<T>): Promise<T> {
    const r = await Promise.race([p, this.#ended]);
    if (r instanceof CallEnded) throw r;
    return r as T;
  }

  #ensureMedia(): Promise<{ id: EndpointId; sdp: string }> {
    this.#media ??= (async () => {
      const offer = this.#session.offer;
      if (!offer) {
        // An offerless INVITE would need our offer in the 200 and the answer in the ACK.
        await this.hangup(488);
        throw new CallEnded('platform');
      }
      try {
        const ep = await this.#o.engine.createEndpoint({ remoteSdpOffer: offer });
        this.#mediaId = ep.id;
        if (this.#endedBy) void this.#o.engine.destroy(ep.id).catch(() => {});
        return { id: ep.id, sdp: ep.localSdp };
      } catch (err) {
        // No common codec (RFC 3261 §21.4.26: 488 Not Acceptable Here).
        await this.hangup(488);
        throw Object.assign(new CallEnded('platform'), { cause: err });
      }
    })();
    return this.#media;
  }

  async earlyMedia(): Promise<void> {
    this.#live();
    const m = await this.#orEnded(this.#ensureMedia());
    this.#live();
    this.#session.ring({ status: 183, sdp: m.sdp });
    this.#state = 'early';
  }

  async answer(): Promise<void> {
    this.#live();
    const m = await this.#orEnded(this.#ensureMedia());
    this.#live();
    this.#session.accept(m.sdp);
    this.#state = 'answered';
  }

  usePromptFiles(files: ReadonlyMap<string, string>): void {
    this.#promptFiles = files;
  }

  async play(
    prompt: PromptRef,
    opts: { bargeIn?: boolean } = {},
  ): Promise<{ interruptedBy?: string }> {
    this.#live();
    const m = await this.#orEnded(this.#ensureMedia());
    const file = this.#promptFiles.get(prompt.name);
    const r = await this.#orEnded(
      this.#o.engine.play(m.id, prompt.name, readbackParams(prompt.params) as never, {
        bargeIn: opts.bargeIn ?? false,
        ...(file ? { file } : {}),
      }),
    );
    return r.digit ? { interruptedBy: r.digit } : {};
  }

  async collect(opts: CollectOptions): Promise<CollectResult> {
    this.#live();
    // Keys pressed while an earlier prompt played count (type-ahead): a caller who knows
    // the menu presses 9 during the greeting. A question consumes only what it uses.
    if (opts.prompt) await this.play(opts.prompt, { bargeIn: true });
    let digits = '';
    for (;;) {
      this.#live();
      const next = this.#digits.shift();
      if (next !== undefined) {
        if (opts.finishOnKey && next === opts.finishOnKey) return { digits, reason: 'finish_key' };
        digits += next;
        if (digits.length >= opts.maxDigits) return { digits, reason: 'max_digits' };
        continue;
      }
      const waitMs = digits.length === 0 ? opts.timeoutMs : opts.interDigitTimeoutMs;
      const timedOut = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(true), waitMs);
        this.#wakeCollector = () => {
          clearTimeout(t);
          resolve(false);
        };
      });
      this.#wakeCollector = undefined;
      if (timedOut) return { digits, reason: 'timeout' };
    }
  }

  async dial(target: string, opts: DialOptions): Promise<DialResult> {
    this.#live();
    const now = () => this.#o.clock.now().toISOString();
    const leg: LegReport = {
      peer: target,
      sipCallId: null,
      fromNumber: opts.callerId,
      toNumber: /^sips?:/.test(target) ? null : target,
      startedAt: now(),
      answeredAt: null,
      endedAt: null,
      outcome: 'failed',
      hangupBy: 'platform',
      sipStatus: null,
      rtpStats: null,
    };
    this.#legs.push(leg);
    const request = outboundRequest(target, opts);
    if (!request) {
      // A phone number with no trunk to carry it out.
      leg.endedAt = now();
      return { outcome: 'failed' };
    }
    leg.peer = request.uri;
    const inbound = await this.#orEnded(this.#ensureMedia());
    const media = await this.#o.engine.createEndpoint({ colocateWith: inbound.id });
    let out: ReturnType<SipEndpoint['invite']>;
    try {
      out = this.#o.endpoint.invite({ ...request, sdp: media.localSdp });
    } catch {
      // No way to send it (a host name we cannot resolve: the stack does no DNS yet).
      leg.endedAt = now();
      leg.rtpStats = await this.#statsThenDestroy(media.id);
      return { outcome: 'failed' };
    }
    leg.sipCallId = out.callId;
    // The caller hears ringing while the far end rings (RFC 3261 §21.1.2).
    out.on('ringing', () => {
      if (this.#state === 'offered') {
        try {
          this.#session.ring({ status: 180 });
        } catch {}
      }
    });
    const outcome = await new Promise<'answered' | 'no_answer' | 'busy' | 'failed' | 'caller-left'>(
      (settle) => {
        let settled = false;
        const resolve = (r: 'answered' | 'no_answer' | 'busy' | 'failed' | 'caller-left') => {
          settled = true;
          settle(r);
        };
        const timer = setTimeout(() => {
          out.hangup();
          resolve('no_answer');
        }, opts.timeoutMs);
        out.once('answered', async (sdp) => {
          clearTimeout(timer);
          leg.answeredAt = now();
          try {
            if (sdp) await this.#o.engine.setRemoteAnswer(media.id, sdp);
            resolve('answered');
          } catch {
            out.hangup();
            resolve('failed');
          }
        });
        out.once('ended', (end) => {
          clearTimeout(timer);
          if (settled) return;
          leg.sipStatus = end.status ?? null;
          leg.hangupBy = end.by === 'remote' ? 'callee' : 'platform';
          resolve(
            end.status === 486 || end.status === 600 || end.status === 603
              ? 'busy'
              : end.status === 408 || end.status === 480 || end.status === 487
                ? 'no_answer'
                : 'failed',
          );
        });
        void this.#ended.then(() => {
          // Only while ringing: once answered, the bridge below handles the caller leaving.
          if (settled) return;
          clearTimeout(timer);
          out.hangup();
          resolve('caller-left');
        });
      },
    );
    if (outcome !== 'answered') {
      leg.endedAt = now();
      leg.outcome = outcome === 'caller-left' ? 'cancelled' : outcome;
      if (outcome === 'caller-left') leg.hangupBy = 'caller';
      if (outcome === 'no_answer' && leg.sipStatus === null) leg.hangupBy = 'platform';
      leg.rtpStats = await this.#statsThenDestroy(media.id);
      if (outcome === 'caller-left') throw new CallEnded('caller');
      return { outcome };
    }
    leg.outcome = 'answered';
    if (this.#state !== 'answered') await this.answer();
    await this.#o.engine.bridge(inbound.id, media.id);
    try {
      await opts.onAnswered?.();
    } catch {}
    // Bridged until either side hangs up; then the other side is hung up too.
    const calleeEnded = new Promise<'callee'>((r) => out.once('ended', () => r('callee')));
    const who = await Promise.race([calleeEnded, this.#ended.then(() => 'caller' as const)]);
    leg.endedAt = now();
    leg.hangupBy = who;
    leg.sipStatus = null;
    // Counters first: the caller's endpoint goes away as soon as its side ends.
    leg.rtpStats = await this.#statsThenDestroy(media.id);
    if (who === 'callee') await this.hangup();
    else out.hangup();
    return { outcome: 'answered', hungUpBy: who };
  }

  async report(): Promise<{ rtpStats: RtpStats | null; outbound: LegReport[] }> {
    return { rtpStats: await this.#finalStats, outbound: this.#legs };
  }

  async recordMessage(maxMs: number): Promise<{ recording: string; durationMs: number }> {
    this.#live();
    const m = await this.#orEnded(this.#ensureMedia());
    if (this.#recording) await this.#o.engine.stopRecord(m.id).catch(() => {});
    const path = join(this.#o.recordingsDir, `${this.#o.callTag}-voicemail.wav`);
    const started = Date.now();
    await this.#o.engine.record(m.id, path);
    this.#digits.length = 0;
    // Until the time limit, '#', or the caller hangs up.
    await Promise.race([
      new Promise((r) => setTimeout(r, maxMs)),
      this.#ended,
      new Promise<void>((r) => {
        const poll = setInterval(() => {
          if (this.#digits.includes('#')) {
            clearInterval(poll);
            r();
          }
        }, 100);
        void this.#ended.then(() => clearInterval(poll));
        setTimeout(() => clearInterval(poll), maxMs);
      }),
    ]);
    await this.#o.engine.stopRecord(m.id).catch(() => {});
    return { recording: path, durationMs: Date.now() - started };
  }

  async setCallRecording(enabled: boolean): Promise<string | null> {
    this.#live();
    const m = await this.#orEnded(this.#ensureMedia());
    const path = join(this.#o.recordingsDir, `${this.#o.callTag}.wav`);
    if (enabled && !this.#recording) await this.#o.engine.record(m.id, path);
    if (!enabled && this.#recording) await this.#o.engine.stopRecord(m.id);
    this.#recording = enabled;
    return enabled ? path : null;
  }

  async hangup(sipStatus?: number): Promise<void> {
    if (this.#endedBy) return;
    if (this.#state === 'answered') {
      this.#session.bye();
    } else {
      // Not answered: a final response ends it (after early media, 480 is the usual close).
      try {
        this.#session.reject(sipStatus ?? 480);
      } catch {}
    }
    this.#finish('platform');
  }

  onEnded(): Promise<CallEnded> {
    return this.#ended;
  }
}
