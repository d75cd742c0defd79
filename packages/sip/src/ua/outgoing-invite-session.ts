/**
 * The UAC side of an INVITE session (RFC 3261 §13.2): the INVITE goes out through an
 * INVITE client transaction; provisional responses create an early dialog (§12.1.2), a 2xx
 * confirms it and is ACKed by us (§13.2.2.4), a non-2xx is ACKed by the transaction
 * (§17.1.1.3). CANCEL waits for a provisional response (§9.1).
 */
import { Dialog } from '../dialog/dialog.ts';
import { tagOf } from '../headers/name-addr.ts';
import { SipRequest, type SipResponse } from '../message/sip-message.ts';
import { buildCancel } from '../transaction/build-cancel.ts';
import type { Channel, ClientTransactionUser } from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import { answerChallenge, type ClientCredentials } from './digest-client.ts';
import { InviteSession, peerAllows, sdpOf } from './invite-session.ts';
import { hasOptionTag } from './option-tags.ts';
import { parseRSeq } from './reliable-provisionals.ts';
import type { SessionHost } from './session-host.ts';
import { nextHop } from './uri-destination.ts';

export class OutgoingInviteSession extends InviteSession {
  #channel: Channel;
  /**
   * RFC 3263 §4.3: when the INVITE times out or hits a transport error before any
   * response, ask for the next target (set by SipEndpoint.inviteLocated). It resolves to
   * its destination once the host has switched to that target's transport, or undefined.
   */
  failover: (() => Promise<SocketAddress | undefined>) | undefined;
  readonly #credentials: ClientCredentials | undefined;
  /** The INVITE in flight: a new one (CSeq + 1) after a digest challenge. */
  #request: SipRequest;
  #authAttempts = 0;
  #provisionalSeen = false;
  #cancelRequested = false;
  #cancelSent = false;
  /** Offerless INVITE whose ACK waits for `ackWith(answer)` (delayed offer). */
  readonly #deferAck: boolean;
  /** CSeq of a 2xx whose ACK waits for the app's answer. */
  #ackAwaited: number | undefined;
  /** We asked for an RFC 4028 session timer. */
  readonly #sessionTimer: boolean;
  #timerRetried = false;
  /** RFC 3262 §4: the last RSeq PRACKed, per remote tag (each fork counts on its own). */
  readonly #lastRSeq = new Map<string, number>();
  /** Early dialogs of other forks, by remote tag, so their reliable 1xx can be PRACKed. */
  readonly #forks = new Map<string, Dialog>();

  /** Use SipEndpoint.invite; the INVITE is sent at once. */
  constructor(
    host: SessionHost,
    request: SipRequest,
    destination: SocketAddress,
    credentials?: ClientCredentials,
    sessionTimer = false,
    deferAck = false,
  ) {
    super(host, 'uac', request.callId, destination);
    this.#request = request;
    this.#credentials = credentials;
    this.#sessionTimer = sessionTimer;
    this.#deferAck = deferAck && sdpOf(request) === undefined;
    this.localSdp = sdpOf(request);
    this.#channel = host.channel(destination);
    this.#send(request);
  }

  /** The current INVITE (the authenticated retry once challenged). */
  get request(): SipRequest {
    return this.#request;
  }

  #send(request: SipRequest): void {
    const user: ClientTransactionUser = {
      onResponse: (response) => {
        // Responses to a superseded INVITE (before a digest retry) are not ours any more.
        if (request === this.#request) this.#receiveResponse(response);
      },
      onTimeout: () =>
        this.#failOver(() =>
          this.finish({ reason: this.#cancelRequested ? 'cancelled' : 'timeout', by: 'local' }),
        ),
      // Reported on the clock so a synchronous send failure reaches listeners attached
      // after invite() returned.
      onTransportError: () =>
        this.host.clock.schedule(0, () =>
          this.#failOver(() => this.finish({ reason: 'transport-error', by: 'local' })),
        ),
    };
    this.host.transactions.sendRequest(request, this.#channel, user);
  }

  /** RFC 3263 §4.3: the same INVITE with a new branch (a new transaction) to the next target. */
  #failOver(end: () => void): void {
    const next = this.#provisionalSeen || this.#cancelRequested ? undefined : this.failover;
    if (next === undefined || !this.fsm.is('trying')) {
      end();
      return;
    }
    next().then(
      (destination) => {
        if (destination === undefined || !this.fsm.is('trying') || this.#cancelRequested) {
          end();
          return;
        }
        const h = this.#request.headers.clone();
        h.remove('via');
        h.prepend('Via', this.host.newVia());
        h.set('Contact', this.host.contact);
        this.#request = new SipRequest('INVITE', this.#request.uriText, h, this.#request.body);
        this.#channel = this.host.channel(destination);
        this.#send(this.#request);
      },
      () => end(),
    );
  }

  /**
   * §22.2: answer a 401/407 by sending the INVITE again with credentials, same Call-ID,
   * From tag and To, CSeq + 1 and a new branch. Twice at most (a stale nonce may need a
   * second round); returns false when the challenge cannot or should not be answered.
   */
  #retryWithCredentials(response: SipResponse): boolean {
    const credentials = this.#credentials;
    if (credentials === undefined || this.#cancelRequested || this.#authAttempts >= 2) {
      return false;
    }
    const retry = this.#nextInvite();
    retry.headers.remove('authorization');
    retry.headers.remove('proxy-authorization');
    const field = answerChallenge(response, retry, credentials, this.host.newTag());
    if (field === undefined) return false;
    retry.headers.append(field[0], field[1]);
    this.#authAttempts++;
    this.#resend(retry);
    return true;
  }

  /** The INVITE again: same Call-ID, From tag and To, new branch, CSeq + 1 (§22.2). */
  #nextInvite(): SipRequest {
    const previous = this.#request;
    const h = previous.headers.clone();
    h.remove('via');
    h.prepend('Via', this.host.newVia());
    h.set('CSeq', `${previous.cseq.seq + 1} INVITE`);
    return new SipRequest('INVITE', previous.uriText, h, previous.body);
  }

  #resend(retry: SipRequest): void {
    this.#request = retry;
    this.#provisionalSeen = false;
    this.#send(retry);
  }

  /**
   * RFC 4028 §7.4: a 422 names the peer's Min-SE; retry once with Session-Expires and
   * Min-SE raised to it.
   */
  #retryWithLargerInterval(response: SipResponse): boolean {
    if (!this.#sessionTimer || this.#timerRetried || this.#cancelRequested) return false;
    const minSE = Number(/^\s*(\d{1,10})/.exec(response.headers.get('min-se') ?? '')?.[1]);
    if (!Number.isFinite(minSE) || minSE <= 0) return false;
    const retry = this.#nextInvite();
    const previous = /^\s*(\d{1,10})\s*(;.*)?$/.exec(retry.headers.get('session-expires') ?? '');
    const interval = Math.max(minSE, Number(previous?.[1] ?? 0));
    retry.headers.set('Session-Expires', `${interval}${previous?.[2] ?? ''}`);
    retry.headers.set('Min-SE', String(minSE));
    this.#timerRetried = true;
    this.#resend(retry);
    return true;
  }

  /** RFC 4028 §7.2: the 2xx's Session-Expires sets the interval and who refreshes. */
  #startTimerFrom2xx(response: SipResponse): void {
    if (!this.#sessionTimer) return;
    const m = /^\s*(\d{1,10})\s*(;.*)?$/.exec(response.headers.get('session-expires') ?? '');
    if (m === null) return; // §7.4: no Session-Expires, no session expiration
    const interval = Number(m[1]);
    if (interval < 1) return;
    const refresher = /;\s*refresher\s*=\s*uas\b/i.test(m[2] ?? '') ? 'uas' : 'uac';
    this.useSessionTimer({
      interval,
      weRefresh: refresher === 'uac',
      headers: [],
      peerAllowsUpdate: peerAllows(response, 'UPDATE'),
    });
    this.startSessionTimer();
  }

  #receiveResponse(response: SipResponse): void {
    const status = response.status;
    if (status < 200) {
      this.#receiveProvisional(response);
      return;
    }
    if (status < 300) {
      this.#receive2xx(response);
      return;
    }
    if (this.fsm.is('terminated')) return;
    if ((status === 401 || status === 407) && this.fsm.is('trying')) {
      if (this.#retryWithCredentials(response)) return;
    }
    if (status === 422 && this.fsm.is('trying')) {
      if (this.#retryWithLargerInterval(response)) return;
    }
    const cancelled = status === 487 && this.#cancelRequested;
    this.finish({
      reason: cancelled ? 'cancelled' : 'rejected',
      by: cancelled ? 'local' : 'remote',
      status,
    });
  }

  /**
   * RFC 3262 §4: a reliable 1xx (Require: 100rel, RSeq) is PRACKed when it is the first
   * from its fork or its RSeq is one more than the last; a repeat (lower or equal RSeq) is
   * a retransmission and a gap means an earlier one is missing: neither is processed.
   * Returns false for a 1xx that must be ignored.
   */
  #acceptReliable(response: SipResponse): boolean {
    if (response.status === 100 || !hasOptionTag(response, 'require', '100rel')) return true;
    const rseq = parseRSeq(response.headers.get('rseq'));
    const remoteTag = tagOf(response.to);
    if (rseq === undefined || remoteTag === undefined) return true;
    const last = this.#lastRSeq.get(remoteTag);
    if (last !== undefined && rseq !== last + 1) return false;
    this.#lastRSeq.set(remoteTag, rseq);
    let dialog = this.dialog?.id.remoteTag === remoteTag ? this.dialog : undefined;
    if (dialog === undefined) {
      dialog = this.#forks.get(remoteTag) ?? Dialog.asUac(this.#request, response);
      this.#forks.set(remoteTag, dialog);
    }
    dialog.receiveResponse(response);
    const prack = dialog.createRequest('PRACK', {
      via: this.host.newVia(),
      headers: [['RAck', `${rseq} ${this.#request.cseq.seq} ${this.#request.method}`]],
    });
    const channel =
      dialog === this.dialog
        ? this.dialogChannel()
        : this.host.channel(nextHop(dialog.routeSet, dialog.remoteTarget) ?? this.peer);
    this.host.transactions.sendRequest(prack, channel, {
      onResponse: (r) => {
        if (r.status >= 200) this.emit('pracked', r);
      },
    });
    return true;
  }

  #receiveProvisional(response: SipResponse): void {
    if (!this.fsm.is('trying', 'early')) return;
    this.#provisionalSeen = true;
    if (
      response.status > 100 &&
      tagOf(response.to) !== undefined &&
      this.dialog === undefined &&
      hasOptionTag(response, 'require', '100rel')
    ) {
      // The PRACK goes in the early dialog this 1xx creates.
      this.registerDialog(Dialog.asUac(this.#request, response));
    }
    if (!this.#acceptReliable(response)) return;
    if (this.#cancelRequested) this.#sendCancel();
    if (response.status > 100 && tagOf(response.to) !== undefined) {
      if (this.dialog === undefined || this.dialog.id.remoteTag !== tagOf(response.to)) {
        if (this.dialog === undefined) this.registerDialog(Dialog.asUac(this.#request, response));
      } else {
        this.dialog.receiveResponse(response);
      }
      if (this.fsm.is('trying')) this.fsm.transition('early');
    }
    this.emit('progress', response);
    if (response.status === 180 || response.status === 183) {
      this.emit('ringing', response, sdpOf(response));
    }
  }

  #receive2xx(response: SipResponse): void {
    const seq = this.#request.cseq.seq;
    const remoteTag = tagOf(response.to);
    if (this.fsm.is('confirmed', 'terminated') && this.dialog?.id.remoteTag === remoteTag) {
      // A retransmission (RFC 6026 Accepted state): repeat the ACK, unless it still waits
      // for the app's answer (the peer keeps resending the 2xx meanwhile, §13.3.1.4).
      if (this.#ackAwaited !== seq) this.ack2xx(seq);
      return;
    }
    if (!this.fsm.is('trying', 'early')) {
      // A 2xx from another fork after we settled on one: ACK and BYE it (§13.2.2.4).
      this.#ackAndByeFork(response);
      return;
    }
    if (this.dialog !== undefined && this.dialog.id.remoteTag === remoteTag) {
      this.dialog.receiveResponse(response);
    } else {
      this.registerDialog(Dialog.asUac(this.#request, response));
    }
    this.fsm.transition('confirmed');
    this.remoteSdp = sdpOf(response);
    if (this.#deferAck && this.remoteSdp !== undefined && !this.#cancelRequested) {
      // Delayed offer (§13.2.1): the 2xx holds the offer; the app answers in the ACK.
      this.#ackAwaited = seq;
    } else {
      this.ack2xx(seq);
    }
    if (this.#cancelRequested) {
      // CANCEL lost the race with the 2xx (§9.1): the call is up, so end it with BYE.
      this.sendByeOnly();
      this.finish({ reason: 'cancelled', by: 'local', status: response.status });
      return;
    }
    this.#startTimerFrom2xx(response);
    this.emit('answered', this.remoteSdp);
    this.emit('confirmed');
  }

  /**
   * Delayed offer (`invite({ deferAck: true })` without SDP): send the ACK with our answer
   * to the offer the 2xx carried ('answered' event). The peer resends its 2xx until then
   * and gives up after 64*T1 (§13.3.1.4).
   */
  ackWith(answerSdp: string | undefined): void {
    const seq = this.#ackAwaited;
    if (seq === undefined) return;
    this.#ackAwaited = undefined;
    if (answerSdp !== undefined) this.localSdp = answerSdp;
    this.ack2xx(seq, answerSdp);
  }

  /** A BYE never overtakes a held-back ACK (§15): the ACK goes first, without answer. */
  override bye(): void {
    if (this.#ackAwaited !== undefined) this.ackWith(undefined);
    super.bye();
  }

  #ackAndByeFork(response: SipResponse): void {
    const fork = Dialog.asUac(this.#request, response);
    fork.receiveResponse(response);
    const ack = fork.createAck(this.#request.cseq.seq, { via: this.host.newVia() });
    const bye = fork.createRequest('BYE', { via: this.host.newVia() });
    try {
      this.#channel.send(ack);
    } catch {
      return;
    }
    this.host.transactions.sendRequest(bye, this.#channel, { onResponse: () => {} });
  }

  /** Cancel the call before it is answered (§9.1); ends as 'cancelled' on the 487. */
  cancel(): void {
    if (!this.fsm.is('trying', 'early') || this.#cancelRequested) return;
    this.#cancelRequested = true;
    if (this.#provisionalSeen) this.#sendCancel();
  }

  #sendCancel(): void {
    if (this.#cancelSent) return;
    this.#cancelSent = true;
    this.host.transactions.sendRequest(buildCancel(this.#request), this.#channel, {
      onResponse: () => {},
    });
  }

  hangup(): void {
    if (this.fsm.is('trying', 'early')) this.cancel();
    else this.bye();
  }

  override close(): void {
    if (this.fsm.is('trying', 'early')) {
      this.cancel();
      this.finish({ reason: 'closed', by: 'local' });
      return;
    }
    super.close();
  }
}
