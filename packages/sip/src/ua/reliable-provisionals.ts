/**
 * Reliable provisional responses, UAS side (RFC 3262 §3). A reliable 1xx carries
 * Require: 100rel and RSeq (initial value random in 1..2**31-1, +1 for each one after);
 * it is passed to the transaction again at T1, 2*T1, 4*T1 … until a PRACK whose RAck
 * names it arrives; without a PRACK within 64*T1 the INVITE is rejected with a 5xx.
 * Only one reliable 1xx is unacknowledged at a time: later ones wait in a queue (§3).
 *
 *   send ──> awaiting PRACK ──PRACK (RAck matches)──> acknowledged ──> next queued, if any
 *                 │  └── T1, 2T1, … resend
 *                 └── 64*T1 ──> onTimeout (the session answers the INVITE 5xx)
 */
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';

export interface RAck {
  rseq: number;
  cseq: number;
  method: string;
}

/** RFC 3262 §7.2: RAck = response-num CSeq-num Method. */
export function parseRAck(value: string | undefined): RAck | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d{1,10})\s+(\d{1,10})\s+([A-Za-z]+)\s*$/.exec(value);
  if (m === null) return undefined;
  return { rseq: Number(m[1]), cseq: Number(m[2]), method: m[3]!.toUpperCase() };
}

/** RFC 3262 §7.1: RSeq = 1*DIGIT, 1..2**31-1. */
export function parseRSeq(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d{1,10}\s*$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n < 2 ** 31 ? n : undefined;
}

export interface ReliableProvisionalActions {
  /** Hand the 1xx to the INVITE server transaction (first send and every resend). */
  send(response: SipResponse): void;
  /** 64*T1 passed without PRACK (§3). */
  onTimeout(): void;
}

interface Outstanding {
  response: SipResponse;
  rseq: number;
  interval: number;
  elapsed: number;
  timer: TimerHandle;
}

export class ReliableProvisionalSender {
  readonly #clock: Clock;
  readonly #t1: number;
  readonly #invite: SipRequest;
  readonly #actions: ReliableProvisionalActions;
  #nextRSeq: number;
  #outstanding: Outstanding | undefined;
  readonly #queue: SipResponse[] = [];
  #stopped = false;

  constructor(
    clock: Clock,
    t1: number,
    invite: SipRequest,
    actions: ReliableProvisionalActions,
    random: () => number = Math.random,
  ) {
    this.#clock = clock;
    this.#t1 = t1;
    this.#invite = invite;
    this.#actions = actions;
    // §3: the first RSeq is chosen uniformly in 1 .. 2**31 - 1; keep room to count up.
    this.#nextRSeq = 1 + Math.floor(random() * 2 ** 30);
  }

  /** True while a reliable 1xx waits for its PRACK. */
  get awaitingPrack(): boolean {
    return this.#outstanding !== undefined;
  }

  /**
   * §3: a 2xx must wait while an unacknowledged (or queued) reliable 1xx carries a
   * session description.
   */
  get sdpAwaitingPrack(): boolean {
    const o = this.#outstanding;
    return (
      (o !== undefined && o.response.body.length > 0) || this.#queue.some((r) => r.body.length > 0)
    );
  }

  /**
   * Send `response` reliably: Require: 100rel and RSeq are added here. Queued while an
   * earlier one is unacknowledged.
   */
  send(response: SipResponse): void {
    if (this.#stopped) return;
    if (this.#outstanding !== undefined) {
      this.#queue.push(response);
      return;
    }
    const rseq = this.#nextRSeq++;
    response.headers.append('Require', '100rel');
    response.headers.append('RSeq', String(rseq));
    const o: Outstanding = {
      response,
      rseq,
      interval: this.#t1,
      elapsed: 0,
      timer: { cancel() {} },
    };
    this.#outstanding = o;
    this.#actions.send(response);
    this.#arm(o);
  }

  #arm(o: Outstanding): void {
    const delay = Math.min(o.interval, 64 * this.#t1 - o.elapsed);
    o.timer = this.#clock.schedule(delay, () => {
      if (this.#outstanding !== o || this.#stopped) return;
      o.elapsed += delay;
      if (o.elapsed >= 64 * this.#t1) {
        this.stop();
        this.#actions.onTimeout();
        return;
      }
      this.#actions.send(o.response);
      o.interval *= 2;
      this.#arm(o);
    });
  }

  /**
   * A PRACK arrived (§3): true when its RAck names the unacknowledged 1xx (retransmissions
   * stop); false means 481. Call `sendNext` once the PRACK is answered.
   */
  acknowledge(prack: SipRequest): boolean {
    const rack = parseRAck(prack.headers.get('rack'));
    const o = this.#outstanding;
    if (
      rack === undefined ||
      o === undefined ||
      rack.rseq !== o.rseq ||
      rack.cseq !== this.#invite.cseq.seq ||
      rack.method !== this.#invite.method
    ) {
      return false;
    }
    o.timer.cancel();
    this.#outstanding = undefined;
    return true;
  }

  /** Send the next queued reliable 1xx, if any and none is outstanding. */
  sendNext(): void {
    if (this.#outstanding !== undefined) return;
    const next = this.#queue.shift();
    if (next !== undefined) this.send(next);
  }

  /** The INVITE got its final response: no more resends. Idempotent. */
  stop(): void {
    this.#stopped = true;
    this.#outstanding?.timer.cancel();
    this.#outstanding = undefined;
    this.#queue.length = 0;
  }
}
