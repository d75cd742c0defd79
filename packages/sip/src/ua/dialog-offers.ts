/**
 * SDP offer/answer once a session is up, both ways: re-INVITE (RFC 3261 §14) and UPDATE
 * (RFC 3311). One offer at a time per dialog: an offer while another is in flight is
 * answered 491 (§14.2, RFC 3311 §5.2), and one of ours is not sent then (it resolves 491
 * at once). Incoming offers reach the app as a `ReinviteOffer` ('reinvite' event; without
 * a listener, our current SDP answers). A re-INVITE's 2xx waits for its ACK (the session's
 * 2xx retransmission); an UPDATE's 2xx needs none. Bodiless UPDATEs are refreshes (RFC
 * 4028). 481 to our request ends the session as dialog-gone, 408 with a BYE (§12.2.1.2).
 */
import type { Dialog } from '../dialog/dialog.ts';
import { SipErrorCode, SipStackError } from '../errors.ts';
import { createResponse } from '../message/create-response.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message.ts';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.ts';
import {
  type Channel,
  type ClientTransactionUser,
  NO_SERVER_USER,
} from '../transaction/transaction-types.ts';
import type { SessionRequestOptions, InDialogRequestResult } from './in-dialog-request.ts';
import type { ReinviteOffer } from './session-events.ts';
import type { SessionHost } from './session-host.ts';
import type { SessionRefresher, SessionTimerTerms } from './session-refresher.ts';

export const SDP = 'application/sdp';

/** The SDP body of a message, if it carries one. */
export function sdpOf(msg: SipMessage): string | undefined {
  if (msg.body.length === 0 || msg.contentType !== SDP) return undefined;
  return msg.body.toString('utf8');
}

/** The peer listed `method` in its Allow header (RFC 3261 §20.5). */
export function peerAllows(msg: SipMessage, method: string): boolean {
  return msg.headers
    .values('allow')
    .some((v) => v.split(',').some((m) => m.trim().toUpperCase() === method));
}

/**
 * Session-Expires for a refresh we send while a timer runs (RFC 4028 §7.4, §8.1): the
 * same interval, and the refresher stays where it is (the sender is "uac" here).
 */
function refreshHeaders(terms: SessionTimerTerms | undefined): Array<[string, string]> {
  if (terms === undefined) return [];
  return [
    ['Session-Expires', `${terms.interval};refresher=${terms.weRefresh ? 'uac' : 'uas'}`],
    ['Supported', 'timer'],
  ];
}

export interface ReinviteResult {
  status: number;
  /** The peer's SDP answer in a 2xx. */
  sdp?: string;
}

/** What the owning session lends the offer/answer exchanges. */
export interface OfferSessionPort {
  readonly host: SessionHost;
  /** The dialog if the session is confirmed (or, with `orAccepted`, awaiting its ACK). */
  usableDialog(orAccepted: boolean): Dialog | undefined;
  /** For error messages. */
  state(): string;
  /** Our current SDP (what answers an offer nobody listens for). */
  localSdp(): string | undefined;
  /** An exchange completed: our SDP, and the peer's where it sent one. */
  negotiated(local: string, remote: string | undefined): void;
  refresher(): SessionRefresher | undefined;
  /** A 2xx to an INVITE with our Contact, Allow, Supported and SDP. */
  build2xx(request: SipRequest, sdp: string): SipResponse;
  /** Resend the 2xx until the ACK (RFC 3261 §13.3.1.4). */
  start2xxRetransmission(seq: number, response: SipResponse, reply: Channel): void;
  /** An ACK that reached the re-INVITE's own transaction (RFC 2543-style branch). */
  receiveAck(ack: SipRequest): void;
  sendInDialog(request: SipRequest, user: ClientTransactionUser): void;
  ack2xx(seq: number): void;
  sendRequest(method: 'UPDATE', options: SessionRequestOptions): Promise<InDialogRequestResult>;
  /** Our request failed in a way that ends the session. */
  failed(reason: 'dialog-gone' | 'timeout' | 'transport-error'): void;
  /** Hand an offer to the app; false when nobody listens. */
  deliver(offer: ReinviteOffer): boolean;
}

export class DialogOffers {
  readonly #port: OfferSessionPort;
  /** The peer's re-INVITE we answered or are answering, until its ACK. */
  #incoming: { seq: number; answered: boolean } | undefined;
  /** An offer of ours (re-INVITE or UPDATE) awaits its answer. */
  #outgoing = false;

  constructor(port: OfferSessionPort) {
    this.#port = port;
  }

  /** The ACK for the re-INVITE with CSeq `seq` arrived: the exchange is over. */
  acked(seq: number): void {
    if (this.#incoming?.seq === seq) this.#incoming = undefined;
  }

  get #busy(): boolean {
    return this.#outgoing || this.#incoming !== undefined;
  }

  /**
   * §14.2: a re-INVITE while our own is pending gets 491; one arriving before we answered
   * the previous gets 500 with Retry-After. Otherwise the application answers it.
   */
  receiveReinvite(request: SipRequest, reply: Channel): void {
    const port = this.#port;
    const tx = port.host.transactions.createServerTransaction(request, reply, {
      // An ACK reusing the re-INVITE's branch (RFC 2543 style) reaches the transaction.
      onAck: (ack) => port.receiveAck(ack),
    }) as InviteServerTransaction;
    if (this.#outgoing) {
      tx.respond(createResponse(request, 491));
      return;
    }
    if (this.#incoming !== undefined && !this.#incoming.answered) {
      const wait = String(Math.floor(port.host.clock.now() % 10));
      tx.respond(createResponse(request, 500, { headers: [['Retry-After', wait]] }));
      return;
    }
    const pending = { seq: request.cseq.seq, answered: false };
    this.#incoming = pending;
    const sdp = sdpOf(request);
    this.#offer({
      request,
      sdp,
      accept: (answer) => {
        if (pending.answered || tx.state !== 'proceeding') return;
        pending.answered = true;
        port.negotiated(answer, sdp);
        const response = port.build2xx(request, answer);
        tx.respond(response);
        port.start2xxRetransmission(request.cseq.seq, response, reply);
        port.refresher()?.restart(); // a re-INVITE refreshes the session (RFC 4028 §10)
      },
      reject: (status) => {
        if (pending.answered || tx.state !== 'proceeding') return;
        pending.answered = true;
        this.#incoming = undefined;
        tx.respond(createResponse(request, status));
      },
    });
  }

  /**
   * UPDATE (RFC 3311) from the peer: without a body a target / session refresh (RFC 4028
   * refreshers often use it), 200 at once; with an SDP offer the app answers it like a
   * re-INVITE, on this non-INVITE transaction (no ACK). An offer while another is in
   * flight gets 491 (§5.2).
   */
  receiveUpdate(request: SipRequest, reply: Channel): void {
    const port = this.#port;
    const tx = port.host.transactions.createServerTransaction(request, reply, NO_SERVER_USER);
    const headers: Array<[string, string]> = [
      ['Contact', port.host.contact],
      ...(port.refresher()?.terms.headers ?? []),
    ];
    const sdp = sdpOf(request);
    if (sdp === undefined) {
      tx.respond(createResponse(request, 200, { headers }));
      port.refresher()?.restart();
      return;
    }
    if (this.#busy) {
      tx.respond(createResponse(request, 491));
      return;
    }
    let answered = false;
    const open = () => !answered && tx.state !== 'completed' && tx.state !== 'terminated';
    this.#offer({
      request,
      sdp,
      accept: (answer) => {
        if (!open()) return;
        answered = true;
        port.negotiated(answer, sdp);
        tx.respond(
          createResponse(request, 200, {
            headers: [...headers, ['Content-Type', SDP]],
            body: Buffer.from(answer, 'utf8'),
          }),
        );
        port.refresher()?.restart();
      },
      reject: (status) => {
        if (!open()) return;
        answered = true;
        tx.respond(createResponse(request, status));
      },
    });
  }

  #offer(offer: ReinviteOffer): void {
    if (!this.#port.deliver(offer)) offer.accept(this.#port.localSdp() ?? '');
  }

  /**
   * Offer new SDP in a confirmed dialog (§14.1), e.g. hold (a=sendonly) and resume.
   * Resolves with the final status; 491 means glare — retry after a random wait (§14.1)
   * if still wanted.
   */
  reinvite(sdp: string): Promise<ReinviteResult> {
    const port = this.#port;
    const dialog = port.usableDialog(false);
    if (dialog === undefined) return this.#refused('re-INVITE');
    if (this.#busy) return Promise.resolve({ status: 491 });
    this.#outgoing = true;
    // RFC 4028 §7.4/§8.1: while a timer runs, a re-INVITE (refresh or not) restates the
    // interval and keeps the refresher where it is.
    const request = dialog.createRequest('INVITE', {
      via: port.host.newVia(),
      contact: port.host.contact,
      headers: refreshHeaders(port.refresher()?.terms),
      body: Buffer.from(sdp, 'utf8'),
      contentType: SDP,
    });
    const seq = request.cseq.seq;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: ReinviteResult): void => {
        if (settled) return;
        settled = true;
        this.#outgoing = false;
        resolve(result);
      };
      port.sendInDialog(request, {
        onResponse: (response) => {
          if (response.status < 200) return;
          if (response.status < 300) {
            // Every 2xx (retransmissions too) is ACKed; the first one settles.
            const first = !settled;
            if (first) dialog.receiveResponse(response);
            port.ack2xx(seq);
            if (first) settle(this.#answered(response, sdp));
            return;
          }
          settle({ status: response.status });
          this.#failed(response.status);
        },
        onTimeout: () => {
          settle({ status: 408 });
          port.failed('timeout');
        },
        onTransportError: () => {
          settle({ status: 503 });
          port.failed('transport-error');
        },
      });
    });
  }

  /**
   * UPDATE in the dialog (RFC 3311). With `sdp`, a new offer without the re-INVITE's
   * three-way handshake (the 2xx carries the answer); without, a session refresh (RFC
   * 4028 §9) or a target refresh (our Contact goes along, §5.1).
   */
  update(sdp?: string): Promise<ReinviteResult> {
    const port = this.#port;
    if (port.usableDialog(true) === undefined) return this.#refused('UPDATE');
    const offering = sdp !== undefined;
    if (offering && this.#busy) return Promise.resolve({ status: 491 });
    if (offering) this.#outgoing = true;
    return port
      .sendRequest('UPDATE', {
        headers: refreshHeaders(port.refresher()?.terms),
        contact: true,
        ...(offering ? { body: sdp, contentType: SDP } : {}),
      })
      .then((r) => {
        if (offering) this.#outgoing = false;
        const response = r.response;
        if (response === undefined) {
          port.failed(r.status === 408 ? 'timeout' : 'transport-error');
          return { status: r.status };
        }
        if (r.status >= 300) {
          this.#failed(r.status);
          return { status: r.status };
        }
        port.usableDialog(true)?.receiveResponse(response); // a target refresh (§5.1)
        port.refresher()?.restart(); // a 2xx to a refresh restarts the timer (RFC 4028 §10)
        if (offering) return this.#answered(response, sdp);
        return { status: r.status };
      });
  }

  /** Our offer's 2xx: record both SDPs. */
  #answered(response: SipResponse, offer: string): ReinviteResult {
    const answer = sdpOf(response);
    this.#port.negotiated(offer, answer);
    return answer === undefined
      ? { status: response.status }
      : { status: response.status, sdp: answer };
  }

  /** §12.2.1.2: 481 and 408 to a request in the dialog end the session. */
  #failed(status: number): void {
    if (status === 481) this.#port.failed('dialog-gone');
    else if (status === 408) this.#port.failed('timeout');
  }

  #refused(what: string): Promise<ReinviteResult> {
    return Promise.reject(
      new SipStackError(
        SipErrorCode.IllegalTransition,
        `INVITE session: ${what} in state ${this.#port.state()}`,
      ),
    );
  }
}
