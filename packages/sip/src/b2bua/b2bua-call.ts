/**
 * One back-to-back call: an incoming INVITE session (leg A, the caller) linked to an
 * outgoing one (leg B, the callee). Each leg is a full UA dialog of its own (RFC 3261
 * §6 "back-to-back user agent"): its own tags, CSeq, ACKs and transactions. What
 * crosses between them is decided here:
 *
 *   B 1xx (180/183…)     → A ring (SDP rewritten B→A; reliably if asked, RFC 3262)
 *   B 2xx                → A 200 (SDP rewritten B→A); each leg ACKs its own 2xx; for
 *                          an offerless INVITE (delayed offer) B's ACK waits for A's,
 *                          which carries the answer (§13.2.1)
 *   B non-2xx / timeout  → A same status (401/407 → 403: credentials are per leg; 408, 503)
 *   A CANCEL             → B CANCEL (A already got 487 from the stack, §9.2)
 *   BYE either leg       → BYE on the other
 *   re-INVITE / UPDATE offer on either leg → re-INVITE on the other; its answer (or
 *                          failure status) answers the first (hold / resume)
 *   INFO, MESSAGE        → same request on the other leg
 *
 *   routing ──route()──> calling ──B 1xx──> early ──B 2xx──> connected ──BYE──> ended
 *      └───────────── refusal / failure / CANCEL ──────────────────────────────> ended
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import { formatNameAddr } from '../headers/name-addr.ts';
import type { SipResponse } from '../message/sip-message.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import type { ClientCredentials } from '../ua/digest-client.ts';
import type { Refuse } from '../ua/endpoint-options.ts';
import type { IncomingInviteSession } from '../ua/incoming-invite-session.ts';
import type { InviteSession } from '../ua/invite-session.ts';
import type { OutgoingInviteSession } from '../ua/outgoing-invite-session.ts';
import type { ReinviteOffer, SessionEnd } from '../ua/session-events.ts';

/** Where leg B goes. */
export interface B2buaRoute {
  /** Request-URI of the outgoing INVITE, e.g. a registered Contact. */
  uri: string;
  destination?: SocketAddress;
  /** From for leg B (default: leg A's From without its tag). */
  from?: string;
  to?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  credentials?: ClientCredentials;
  transport?: string;
}

export type SdpDirection = 'a-to-b' | 'b-to-a';

export interface B2buaHooks {
  /** Pick leg B's target, or refuse the call (e.g. 404, 480). May be async. */
  route(incoming: IncomingInviteSession): B2buaRoute | Refuse | Promise<B2buaRoute | Refuse>;
  /**
   * Rewrite an SDP body crossing from one leg to the other (media anchoring: put the
   * relay's address and ports in). Default: passed through unchanged.
   */
  rewriteSdp?(sdp: string, direction: SdpDirection, call: B2buaCall): string | Promise<string>;
  /**
   * Give up on an unanswered leg B after this long (ms; default 120 000): CANCEL it and
   * answer the caller 408. A provisional response stops Timer B (§17.1.1.2), so without
   * this a callee that rings forever would hold both legs forever.
   */
  ringTimeoutMs?: number;
  /**
   * Relay provisional responses to the caller reliably (RFC 3262) when it supports
   * 100rel. Leg B's own reliable 1xx are PRACKed by leg B's session either way.
   */
  reliableProvisionals?: boolean;
}

/** Opens leg B (SipEndpoint.invite fits). */
export type OpenLeg = (
  route: B2buaRoute & { sdp?: string; deferAck?: boolean },
) => OutgoingInviteSession;

export type B2buaCallState = 'routing' | 'calling' | 'early' | 'connected' | 'ended';

export interface B2buaEnd {
  /** Which leg ended first, or 'local' for a refusal/hook failure of ours. */
  by: 'a' | 'b' | 'local';
  /** How that leg ended. */
  end?: SessionEnd;
  /** Final status given to the caller, when it never connected. */
  status?: number;
}

export interface B2buaCallEvents {
  /** Leg B is open (its INVITE sent). */
  routed: [b: OutgoingInviteSession];
  connected: [];
  ended: [end: B2buaEnd];
}

function isRefusal(x: B2buaRoute | Refuse): x is Refuse {
  return (x as Refuse).status !== undefined;
}

/** Leg B's final failure as the status for leg A. */
function statusForA(end: SessionEnd): number {
  const s = end.status;
  if (s !== undefined && s >= 300 && s <= 699) {
    // Challenges are for us, not the caller (credentials are per leg).
    return s === 401 || s === 407 ? 403 : s;
  }
  if (end.reason === 'timeout') return 408;
  return 503;
}

export class B2buaCall extends EventEmitter<B2buaCallEvents> {
  readonly a: IncomingInviteSession;
  b: OutgoingInviteSession | undefined;
  readonly #hooks: B2buaHooks;
  readonly #open: OpenLeg;
  readonly #clock: Clock;
  #state: B2buaCallState = 'routing';
  #end: B2buaEnd | undefined;
  #ringTimer: TimerHandle | undefined;

  constructor(a: IncomingInviteSession, hooks: B2buaHooks, open: OpenLeg, clock: Clock) {
    super();
    this.a = a;
    this.#hooks = hooks;
    this.#open = open;
    this.#clock = clock;
    a.once('ended', (end) => this.#legEnded('a', end));
    this.#wireInDialog(a, () => this.b);
  }

  get state(): B2buaCallState {
    return this.#state;
  }

  get end(): B2buaEnd | undefined {
    return this.#end;
  }

  /** Route and open leg B. Errors from hooks refuse the call with 500. */
  async start(): Promise<void> {
    let route: B2buaRoute | Refuse;
    try {
      route = await this.#hooks.route(this.a);
    } catch {
      route = { status: 500 };
    }
    if (this.#state !== 'routing') return; // the caller gave up meanwhile
    if (isRefusal(route)) {
      this.#refuseA(route.status, route);
      return;
    }
    let sdp: string | undefined;
    try {
      const offer = this.a.offer;
      sdp = offer === undefined ? undefined : await this.#rewrite(offer, 'a-to-b');
    } catch {
      this.#refuseA(500);
      return;
    }
    if (this.#state !== 'routing') return;
    const b = this.#open({
      ...route,
      from: route.from ?? formatNameAddr({ ...this.a.request.from, params: new Map() }),
      sdp,
      // Delayed offer (§13.2.1): B's 2xx offer goes to A, A's ACK answer to B's ACK.
      deferAck: sdp === undefined,
    });
    this.b = b;
    this.#state = 'calling';
    this.#ringTimer = this.#clock.schedule(this.#hooks.ringTimeoutMs ?? 120_000, () => {
      if (this.#state !== 'calling' && this.#state !== 'early') return;
      this.#refuseA(408);
      b.hangup();
    });
    b.on('progress', (r) => void this.#relayProvisional(r));
    b.once('answered', (answer) => void this.#relayAnswer(answer));
    b.once('ended', (end) => this.#legEnded('b', end));
    this.#wireInDialog(b, () => this.a);
    this.emit('routed', b);
  }

  /** End both legs (BYE / CANCEL / 480 as their states call for). */
  hangup(): void {
    if (this.#state === 'ended') return;
    if (this.a.state === 'trying' || this.a.state === 'early') this.#refuseA(480);
    else this.a.hangup();
    if (this.b !== undefined && this.b.state !== 'terminated') this.b.hangup();
  }

  #rewrite(sdp: string, direction: SdpDirection): string | Promise<string> {
    return this.#hooks.rewriteSdp?.(sdp, direction, this) ?? sdp;
  }

  #aPending(): boolean {
    return this.a.state === 'trying' || this.a.state === 'early';
  }

  #refuseA(status: number, refuse?: Refuse): void {
    // Record our end first: rejecting A emits A's 'ended' synchronously.
    this.#finish({ by: 'local', status });
    if (this.#aPending()) {
      this.a.reject(status, { reason: refuse?.reason, headers: refuse?.headers });
    }
  }

  async #relayProvisional(response: SipResponse): Promise<void> {
    if (response.status <= 100) return;
    const body = response.body.length > 0 && response.contentType === 'application/sdp';
    const sdp = body ? await this.#rewrite(response.body.toString('utf8'), 'b-to-a') : undefined;
    if (!this.#aPending() || this.#state === 'ended') return;
    this.#state = 'early';
    const reliable = this.#hooks.reliableProvisionals === true;
    this.a.ring(
      sdp === undefined
        ? { status: response.status, reliable }
        : { status: response.status, sdp, reliable },
    );
  }

  async #relayAnswer(answer: string | undefined): Promise<void> {
    let sdp: string;
    try {
      sdp = answer === undefined ? '' : await this.#rewrite(answer, 'b-to-a');
    } catch {
      this.b?.hangup();
      this.#refuseA(500);
      return;
    }
    if (!this.#aPending()) {
      // The caller left while B answered: B gets its BYE.
      this.b?.hangup();
      return;
    }
    const b = this.b;
    if (b !== undefined && this.a.offer === undefined) {
      this.a.once('confirmed', () => {
        const answer = this.a.remoteSdp;
        if (answer === undefined) {
          b.ackWith(undefined);
          return;
        }
        void Promise.resolve(this.#rewrite(answer, 'a-to-b')).then(
          (rewritten) => b.ackWith(rewritten),
          () => b.ackWith(undefined),
        );
      });
    }
    this.a.accept(sdp);
    this.#ringTimer?.cancel();
    this.#state = 'connected';
    this.emit('connected');
  }

  /** One leg ended: end the other in whatever way its state calls for. */
  #legEnded(leg: 'a' | 'b', end: SessionEnd): void {
    if (leg === 'a') {
      this.#finish({ by: 'a', end });
      const b = this.b;
      if (b !== undefined && b.state !== 'terminated') b.hangup();
      return;
    }
    if (this.#aPending()) {
      const status = statusForA(end);
      this.#finish({ by: 'b', end, status });
      this.a.reject(status);
      return;
    }
    this.#finish({ by: 'b', end });
    if (this.a.state !== 'terminated') this.a.hangup();
  }

  #finish(end: B2buaEnd): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    this.#ringTimer?.cancel();
    this.#state = 'ended';
    this.emit('ended', end);
  }

  /** Mid-call requests of `leg` crossing to the other leg (`other()`, once it exists). */
  #wireInDialog(leg: InviteSession, other: () => InviteSession | undefined): void {
    const direction: SdpDirection = leg === this.a ? 'a-to-b' : 'b-to-a';
    const back: SdpDirection = direction === 'a-to-b' ? 'b-to-a' : 'a-to-b';
    leg.on('reinvite', (offer) => void this.#relayOffer(offer, leg, other(), direction, back));
    leg.on('info', (info) => {
      const o = other();
      if (o?.state === 'confirmed') {
        o.info(info.contentType ?? 'application/octet-stream', info.body).catch(() => {});
      }
    });
    leg.on('message', (m) => {
      const o = other();
      if (o?.state === 'confirmed') {
        o.message(m.contentType ?? 'text/plain', m.body).catch(() => {});
      }
    });
  }

  /** §14: an offer on one leg becomes a re-INVITE on the other; its answer comes back. */
  async #relayOffer(
    offer: ReinviteOffer,
    leg: InviteSession,
    o: InviteSession | undefined,
    direction: SdpDirection,
    back: SdpDirection,
  ): Promise<void> {
    if (offer.sdp === undefined || o === undefined || o.state !== 'confirmed') {
      // An offerless re-INVITE (or no other leg yet) is answered with our current SDP.
      offer.accept(leg.localSdp ?? '');
      return;
    }
    try {
      const result = await o.reinvite(await this.#rewrite(offer.sdp, direction));
      if (result.status >= 200 && result.status < 300) {
        offer.accept(
          result.sdp === undefined ? (leg.localSdp ?? '') : await this.#rewrite(result.sdp, back),
        );
      } else {
        offer.reject(result.status);
      }
    } catch {
      offer.reject(500);
    }
  }
}
