/**
 * The UAS side of an INVITE session (RFC 3261 §13.3): the application rings, accepts with
 * SDP, or rejects; a CANCEL ends it with 487 (§9.2). 100 Trying is sent by the INVITE
 * server transaction. After the 2xx the session waits in 'accepted' for the ACK while
 * the base class retransmits the 2xx (§13.3.1.4).
 */
import { Dialog } from '../dialog/dialog.ts';
import { SipErrorCode, SipStackError } from '../errors.ts';
import { createResponse } from '../message/create-response.ts';
import type { SipRequest } from '../message/sip-message.ts';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.ts';
import type { Channel } from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import { InviteSession, peerAllows, sdpOf } from './invite-session.ts';
import { hasOptionTag, peerSupports, SUPPORTED_HEADER } from './option-tags.ts';
import { ReliableProvisionalSender } from './reliable-provisionals.ts';
import type { SessionHost } from './session-host.ts';
import {
  negotiateSessionTimer,
  type SessionTimerPolicy,
  sessionTimerHeaders,
} from './session-timer.ts';

export interface RingOptions {
  /** 180 (default) or 183 Session Progress. */
  status?: number;
  /** Early-media SDP answer. */
  sdp?: string;
  /**
   * Send it reliably (RFC 3262: Require: 100rel, RSeq, resent until PRACK) when the
   * INVITE Supports 100rel. When the INVITE Requires 100rel it is reliable anyway.
   */
  reliable?: boolean;
  /** Extra header fields. */
  headers?: ReadonlyArray<readonly [string, string]>;
}

export interface RejectOptions {
  reason?: string;
  /** Extra header fields, e.g. Proxy-Authenticate for a 407 or Retry-After. */
  headers?: ReadonlyArray<readonly [string, string]>;
}

export class IncomingInviteSession extends InviteSession {
  readonly request: SipRequest;
  /** Our To tag, the same in every response (§8.2.6.2). */
  readonly localTag: string;
  readonly #tx: InviteServerTransaction;
  readonly #reply: Channel;
  /** RFC 3262 §3: reliable 1xx state, created with the first reliable 1xx. */
  #reliable: ReliableProvisionalSender | undefined;
  /** An accept() held back until the PRACK (RFC 3262 §3). */
  #deferredAccept: string | undefined;
  /** The INVITE's SDP offer (decoded once). */
  readonly #offer: string | undefined;

  constructor(
    host: SessionHost,
    request: SipRequest,
    tx: InviteServerTransaction,
    reply: Channel,
    source: SocketAddress,
    sessionTimer?: SessionTimerPolicy,
  ) {
    super(host, 'uas', request.callId, source);
    this.request = request;
    if (sessionTimer !== undefined) {
      const offer = negotiateSessionTimer(request, sessionTimer);
      if (offer.kind === 'ok') {
        this.useSessionTimer({
          interval: offer.interval,
          weRefresh: offer.refresher === 'uas',
          headers: sessionTimerHeaders(offer),
          peerAllowsUpdate: peerAllows(request, 'UPDATE'),
        });
      }
    }
    this.#tx = tx;
    this.#reply = reply;
    if (reply.reliable) this.connection = reply;
    this.localTag = host.newTag();
    this.#offer = sdpOf(request);
    this.remoteSdp = this.#offer;
  }

  /** The INVITE server transaction's key (the endpoint files pending sessions by it). */
  get transactionKey(): string {
    return this.#tx.key;
  }

  /** The caller's SDP offer, if the INVITE carried one. */
  get offer(): string | undefined {
    return this.#offer;
  }

  #requirePending(what: string): void {
    if (!this.fsm.is('trying', 'early') || this.#tx.state !== 'proceeding') {
      throw new SipStackError(
        SipErrorCode.IllegalTransition,
        `incoming INVITE: cannot ${what} in state ${this.fsm.state}`,
      );
    }
  }

  /** The caller accepts reliable provisional responses (Supported/Require: 100rel). */
  get reliableProvisionalsSupported(): boolean {
    return peerSupports(this.request, '100rel');
  }

  /** The caller demands reliable provisional responses (Require: 100rel, RFC 3262 §3). */
  get reliableProvisionalsRequired(): boolean {
    return hasOptionTag(this.request, 'require', '100rel');
  }

  /** True while a reliable 1xx waits for its PRACK. */
  get awaitingPrack(): boolean {
    return this.#reliable?.awaitingPrack ?? false;
  }

  /**
   * Send 180 Ringing or 183 Session Progress, creating the early dialog (§12.1.1);
   * reliably (RFC 3262) when asked and the caller supports it, or when it requires it.
   */
  ring(options: RingOptions = {}): void {
    this.#requirePending('ring');
    const status = options.status ?? 180;
    if (status <= 100 || status >= 200) {
      throw new SipStackError(SipErrorCode.InvalidArgument, `ring needs 101-199, got ${status}`);
    }
    const sdp = options.sdp;
    const headers: Array<readonly [string, string]> = [
      ['Contact', this.host.contact],
      ['Supported', SUPPORTED_HEADER],
      ...(options.headers ?? []),
    ];
    if (sdp !== undefined) headers.push(['Content-Type', 'application/sdp']);
    const reliable =
      this.reliableProvisionalsRequired ||
      (options.reliable === true && this.reliableProvisionalsSupported);
    const response = createResponse(this.request, status, {
      toTag: this.localTag,
      headers,
      body: sdp === undefined ? undefined : Buffer.from(sdp, 'utf8'),
    });
    if (this.dialog === undefined) this.registerDialog(Dialog.asUas(this.request, response));
    if (this.fsm.is('trying')) this.fsm.transition('early');
    if (!reliable) {
      this.#tx.respond(response);
      return;
    }
    this.#reliable ??= new ReliableProvisionalSender(
      this.host.clock,
      this.host.context.timers.t1,
      this.request,
      {
        send: (r) => {
          if (this.#tx.state === 'proceeding') this.#tx.respond(r);
        },
        // §3: no PRACK within 64*T1: reject the INVITE with a 5xx.
        onTimeout: () => {
          if (this.fsm.is('trying', 'early') && this.#tx.state === 'proceeding') {
            this.reject(504, { reason: 'No PRACK' });
          }
        },
      },
    );
    this.#reliable.send(response);
  }

  /** RFC 3262 §3: a PRACK whose RAck names our unacknowledged 1xx gets 200, else 481. */
  protected override receivePrack(request: SipRequest, reply: Channel): void {
    if (this.#reliable?.acknowledge(request) !== true) {
      this.respondTo(request, reply, 481);
      return;
    }
    this.respondTo(request, reply, 200);
    this.emit('prack', request);
    this.#reliable.sendNext();
    const deferred = this.#deferredAccept;
    if (deferred !== undefined && this.fsm.is('trying', 'early')) this.accept(deferred);
  }

  /**
   * Answer 200 OK with our SDP; the 2xx is retransmitted until the ACK (§13.3.1.4). While
   * a reliable 1xx with SDP awaits its PRACK the 2xx waits for it (RFC 3262 §3).
   */
  accept(sdp: string): void {
    this.#requirePending('accept');
    if (this.#reliable?.sdpAwaitingPrack === true) {
      this.#deferredAccept = sdp;
      return;
    }
    this.#deferredAccept = undefined;
    this.localSdp = sdp;
    const response = this.build2xx(this.request, sdp, this.localTag);
    if (this.dialog === undefined) this.registerDialog(Dialog.asUas(this.request, response));
    else this.dialog.confirm();
    this.fsm.transition('accepted');
    this.#reliable?.stop();
    this.#tx.respond(response);
    this.start2xxRetransmission(this.request.cseq.seq, response, this.#reply);
    this.startSessionTimer();
  }

  /** Answer with a final non-2xx status (486 Busy Here, 603 Decline, 407 …). */
  reject(status: number, options: RejectOptions = {}): void {
    if (status < 300 || status > 699) {
      throw new SipStackError(SipErrorCode.InvalidArgument, `reject needs 3xx-6xx, got ${status}`);
    }
    this.#requirePending('reject');
    this.#reliable?.stop();
    this.#tx.respond(
      createResponse(this.request, status, {
        toTag: this.localTag,
        reason: options.reason,
        headers: options.headers,
      }),
    );
    this.finish({ reason: 'rejected', by: 'local', status });
  }

  /**
   * The endpoint matched a CANCEL to our INVITE (§9.2). Before a final response the INVITE
   * gets 487; afterwards the CANCEL changes nothing.
   */
  cancelled(): void {
    if (!this.fsm.is('trying', 'early') || this.#tx.state !== 'proceeding') return;
    this.#reliable?.stop();
    this.#tx.respond(createResponse(this.request, 487, { toTag: this.localTag }));
    this.finish({ reason: 'cancelled', by: 'remote', status: 487 });
  }

  /** §15.1.2: a BYE on the early dialog; the INVITE still gets its final answer, 487. */
  protected override beforeRemoteBye(): void {
    if (this.fsm.is('trying', 'early') && this.#tx.state === 'proceeding') {
      this.#reliable?.stop();
      this.#tx.respond(createResponse(this.request, 487, { toTag: this.localTag }));
    }
  }

  /** The INVITE transaction failed to send a response (§17.2.4). */
  transportFailed(): void {
    this.#reliable?.stop();
    this.finish({ reason: 'transport-error', by: 'local' });
  }

  hangup(): void {
    if (this.fsm.is('trying', 'early')) this.reject(480);
    else this.bye();
  }

  override close(): void {
    if (this.fsm.is('trying', 'early') && this.#tx.state === 'proceeding') {
      this.#reliable?.stop();
      this.#tx.respond(createResponse(this.request, 480, { toTag: this.localTag }));
      this.finish({ reason: 'closed', by: 'local' });
      return;
    }
    super.close();
  }
}
