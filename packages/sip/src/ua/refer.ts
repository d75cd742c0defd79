/**
 * REFER inside an INVITE dialog (RFC 3515) and its implicit subscription, with
 * Refer-Sub: false (RFC 4488).
 *
 * Receiving (`IncomingRefer`): the app reads the Refer-To target and accepts (202) or
 * rejects. Accepting sends NOTIFY "SIP/2.0 100 Trying" at once (§2.4.4); the app reports
 * progress with `notify(status)`: a final status (≥ 200) terminates the subscription
 * (Subscription-State: terminated;reason=noresource, §2.4.7). When the REFER carried
 * Refer-Sub: false, the 202 says Refer-Sub: false and no NOTIFY is sent (RFC 4488 §4).
 *
 * Sending (`OutgoingRefer`): 'response' with the REFER's final status, then 'progress'
 * for each NOTIFY's message/sipfrag status line until one says Subscription-State:
 * terminated; `settled` resolves with both.
 *
 *   REFER ──2xx──> subscribed ──NOTIFY (terminated)──> done
 *     └── ≥300 ──> done              (Refer-Sub: false: done at the 2xx)
 */
import { EventEmitter } from 'node:events';
import type { NameAddr } from '../headers/name-addr.ts';
import type { SipRequest } from '../message/sip-message.ts';
import { reasonPhrase } from '../message/status-reasons.ts';
import { formatUri } from '../uri/format-uri.ts';

export const SIPFRAG = 'message/sipfrag;version=2.0';

/** What a REFER's owner session lets us do in its dialog. */
export interface ReferDialogPort {
  /** Send an in-dialog request; resolves with the final status (408/503 on failure). */
  send(
    method: 'NOTIFY',
    headers: ReadonlyArray<readonly [string, string]>,
    body: string,
    contentType: string,
  ): Promise<number>;
  /** The dialog is still usable. */
  alive(): boolean;
}

export interface ReferProgress {
  status: number;
  reason: string;
  /** A final status (≥ 200): the referred request is over. */
  final: boolean;
  /** The NOTIFY said Subscription-State: terminated. */
  terminated: boolean;
}

/** The status line of a message/sipfrag body ("SIP/2.0 200 OK"), RFC 3420. */
export function parseSipfragStatus(body: string): { status: number; reason: string } | undefined {
  const m = /^SIP\/2\.0\s+(\d{3})\s*([^\r\n]*)/.exec(body.trimStart());
  if (m === null) return undefined;
  return { status: Number(m[1]), reason: m[2]!.trim() };
}

/** The Event header's package and id parameter (RFC 6665 §8.2.1), e.g. "refer;id=93". */
export function parseEvent(value: string | undefined): { pkg: string; id?: string } | undefined {
  if (value === undefined) return undefined;
  const [pkg, ...params] = value.split(';').map((p) => p.trim());
  if (pkg === undefined || pkg === '') return undefined;
  const id = params.find((p) => /^id\s*=/i.test(p))?.replace(/^id\s*=\s*/i, '');
  return id === undefined ? { pkg: pkg.toLowerCase() } : { pkg: pkg.toLowerCase(), id };
}

/** RFC 4488 §4: Refer-Sub: false asks for no implicit subscription. */
export function wantsNoSubscription(request: SipRequest): boolean {
  return request.headers.get('refer-sub')?.trim().toLowerCase() === 'false';
}

export class IncomingRefer {
  readonly request: SipRequest;
  /** The Refer-To value parsed (its URI may carry headers such as Replaces). */
  readonly referTo: NameAddr;
  /** The Refer-To URI as text: where the app should send its new request. */
  readonly target: string;
  /** Referred-By (RFC 3892), raw, when present. */
  readonly referredBy: string | undefined;
  /** False when the referrer sent Refer-Sub: false: no NOTIFYs will be sent. */
  readonly subscription: boolean;
  readonly #port: ReferDialogPort;
  readonly #answer: (status: number, headers: ReadonlyArray<readonly [string, string]>) => void;
  #answered = false;
  #terminated = false;

  constructor(
    request: SipRequest,
    referTo: NameAddr,
    port: ReferDialogPort,
    answer: (status: number, headers: ReadonlyArray<readonly [string, string]>) => void,
  ) {
    this.request = request;
    this.referTo = referTo;
    this.target = formatUri(referTo.uri);
    this.referredBy = request.headers.get('referred-by');
    this.subscription = !wantsNoSubscription(request);
    this.#port = port;
    this.#answer = answer;
  }

  get answered(): boolean {
    return this.#answered;
  }

  /** 202 Accepted, then (with a subscription) NOTIFY 100 Trying (§2.4.2, §2.4.4). */
  accept(): void {
    if (this.#answered) return;
    this.#answered = true;
    this.#answer(202, this.subscription ? [] : [['Refer-Sub', 'false']]);
    if (this.subscription) this.notify(100);
    else this.#terminated = true;
  }

  /** A final non-2xx for the REFER (e.g. 603 Decline). */
  reject(status: number): void {
    if (this.#answered) return;
    this.#answered = true;
    this.#terminated = true;
    this.#answer(status, []);
  }

  /**
   * Report how the referred request is doing (§2.4.5): 1xx keeps the subscription
   * active, ≥ 200 ends it. Resolves with the NOTIFY's final status, or undefined when
   * nothing was sent (no subscription, already terminated, dialog gone).
   */
  notify(status: number, reason?: string): Promise<number | undefined> {
    if (!this.#answered || this.#terminated || !this.#port.alive()) {
      return Promise.resolve(undefined);
    }
    const final = status >= 200;
    if (final) this.#terminated = true;
    const state = final ? 'terminated;reason=noresource' : 'active;expires=60';
    return this.#port.send(
      'NOTIFY',
      [
        ['Event', `refer;id=${this.request.cseq.seq}`],
        ['Subscription-State', state],
      ],
      `SIP/2.0 ${status} ${reason ?? reasonPhrase(status)}\r\n`,
      SIPFRAG,
    );
  }
}

export interface OutgoingReferEvents {
  /** The REFER's final response status (202 normally). */
  response: [status: number];
  /** A NOTIFY's sipfrag status line. */
  progress: [progress: ReferProgress];
}

export interface ReferOutcome {
  /** The REFER's own final status. */
  referStatus: number;
  /** The last sipfrag status (the final one when the referral completed). */
  progress?: ReferProgress;
}

export class OutgoingRefer extends EventEmitter<OutgoingReferEvents> {
  /** CSeq number of the REFER: the NOTIFYs' Event id (RFC 3515 §2.4.4). */
  readonly seq: number;
  readonly subscription: boolean;
  readonly settled: Promise<ReferOutcome>;
  #referStatus: number | undefined;
  #last: ReferProgress | undefined;
  /** The subscription is over: later NOTIFYs get 481. */
  #done = false;
  #settled = false;
  #resolve!: (o: ReferOutcome) => void;

  constructor(seq: number, subscription: boolean) {
    super();
    this.seq = seq;
    this.subscription = subscription;
    this.settled = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get done(): boolean {
    return this.#done;
  }

  /** The REFER's final response (§2.4.2). */
  responded(status: number, referSubFalse: boolean): void {
    if (this.#referStatus !== undefined) return;
    this.#referStatus = status;
    this.emit('response', status);
    // RFC 4488 §4: the recipient confirms "no subscription" with Refer-Sub: false.
    if (status >= 300 || (status < 300 && referSubFalse)) this.#finish();
  }

  /**
   * A NOTIFY for this subscription; returns the status to answer it with. `settled`
   * resolves at the first final sipfrag status or at Subscription-State: terminated,
   * whichever comes first (some UAs, linphone 5.1 among them, report the final status
   * with the subscription still "active", against §2.4.7); the subscription stays open
   * for further NOTIFYs until terminated.
   */
  notified(request: SipRequest): number {
    if (this.#done) return 481;
    // A NOTIFY overtaking the 202 (UDP) still means the REFER was accepted (§2.4.4).
    this.#referStatus ??= 202;
    const frag = parseSipfragStatus(request.body.toString('utf8'));
    const terminated = /^\s*terminated/i.test(request.headers.get('subscription-state') ?? '');
    if (frag !== undefined) {
      this.#last = { ...frag, final: frag.status >= 200, terminated };
      this.emit('progress', this.#last);
    }
    if (terminated) this.#finish();
    else if (this.#last?.final === true) this.#settle();
    return 200;
  }

  /** The dialog ended: no more NOTIFYs can come. */
  abandon(): void {
    this.#referStatus ??= 0;
    this.#finish();
  }

  #finish(): void {
    this.#done = true;
    this.#settle();
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    const outcome: ReferOutcome = { referStatus: this.#referStatus ?? 0 };
    if (this.#last !== undefined) outcome.progress = this.#last;
    this.#resolve(outcome);
  }
}
