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
import { InviteSession, sdpOf } from './invite-session.ts';
import type { SessionHost } from './session-host.ts';

export class OutgoingInviteSession extends InviteSession {
  readonly #channel: Channel;
  readonly #credentials: ClientCredentials | undefined;
  /** The INVITE in flight: a new one (CSeq + 1) after a digest challenge. */
  #request: SipRequest;
  #authAttempts = 0;
  #provisionalSeen = false;
  #cancelRequested = false;
  #cancelSent = false;

  /** Use SipEndpoint.invite; the INVITE is sent at once. */
  constructor(
    host: SessionHost,
    request: SipRequest,
    destination: SocketAddress,
    credentials?: ClientCredentials,
  ) {
    super(host, 'uac', request.callId, destination);
    this.#request = request;
    this.#credentials = credentials;
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
        this.finish({ reason: this.#cancelRequested ? 'cancelled' : 'timeout', by: 'local' }),
      // Reported on the clock so a synchronous send failure reaches listeners attached
      // after invite() returned.
      onTransportError: () =>
        this.host.clock.schedule(0, () => this.finish({ reason: 'transport-error', by: 'local' })),
    };
    this.host.transactions.sendRequest(request, this.#channel, user);
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
    const previous = this.#request;
    const h = previous.headers.clone();
    h.remove('via');
    h.prepend('Via', this.host.newVia());
    h.set('CSeq', `${previous.cseq.seq + 1} INVITE`);
    h.remove('authorization');
    h.remove('proxy-authorization');
    const retry = new SipRequest('INVITE', previous.uriText, h, previous.body);
    const field = answerChallenge(response, retry, credentials, this.host.newTag());
    if (field === undefined) return false;
    retry.headers.append(field[0], field[1]);
    this.#authAttempts++;
    this.#request = retry;
    this.#provisionalSeen = false;
    this.#send(retry);
    return true;
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
    const cancelled = status === 487 && this.#cancelRequested;
    this.finish({
      reason: cancelled ? 'cancelled' : 'rejected',
      by: cancelled ? 'local' : 'remote',
      status,
    });
  }

  #receiveProvisional(response: SipResponse): void {
    if (!this.fsm.is('trying', 'early')) return;
    this.#provisionalSeen = true;
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
      // A retransmission (RFC 6026 Accepted state): repeat the ACK.
      this.ack2xx(seq);
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
    this.ack2xx(seq);
    if (this.#cancelRequested) {
      // CANCEL lost the race with the 2xx (§9.1): the call is up, so end it with BYE.
      this.sendByeOnly();
      this.finish({ reason: 'cancelled', by: 'local', status: response.status });
      return;
    }
    this.emit('answered', this.remoteSdp);
    this.emit('confirmed');
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
