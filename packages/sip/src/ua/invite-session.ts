/**
 * What both sides of an INVITE session share once a dialog exists (RFC 3261 §12–§15):
 * in-dialog requests in both directions (BYE, INFO, OPTIONS, MESSAGE), the UAS core's 2xx
 * retransmission until ACK (§13.3.1.4), the UAC core's ACK for 2xx (§13.2.2.4), the RFC
 * 4028 session timer, and the single 'ended' event. Offer/answer by re-INVITE and UPDATE
 * is in dialog-offers.ts, REFER and its NOTIFYs in dialog-refers.ts. The INVITE that sets
 * the session up is the subclasses' business (incoming-invite-session.ts,
 * outgoing-invite-session.ts).
 */
import { EventEmitter } from 'node:events';
import type { Dialog } from '../dialog/dialog.ts';
import { SipErrorCode, SipStackError } from '../errors.ts';
import { createResponse } from '../message/create-response.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { Invite2xxRetransmitter } from '../transaction/invite-2xx-retransmitter.ts';
import { StateMachine } from '../transaction/state-machine.ts';
import {
  type Channel,
  type ClientTransactionUser,
  NO_SERVER_USER,
} from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import type { InviteSessionEvents, SessionEnd } from './session-events.ts';
import { SUPPORTED_HEADER } from './option-tags.ts';
import { DialogOffers, type ReinviteResult, SDP, sdpOf } from './dialog-offers.ts';
import { DialogRefers, type ReferOptions } from './dialog-refers.ts';
import type { SessionRequestOptions, InDialogRequestResult } from './in-dialog-request.ts';
import type { OutgoingRefer } from './refer.ts';
import type { SessionHost } from './session-host.ts';
import { SessionRefresher, type SessionTimerTerms } from './session-refresher.ts';
import { SESSION_TRANSITIONS, type SessionState } from './session-state.ts';
import { nextHop } from './uri-destination.ts';

export const ALLOW =
  'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, MESSAGE, REFER, NOTIFY';

export type { ReinviteResult } from './dialog-offers.ts';
export { peerAllows, sdpOf } from './dialog-offers.ts';

export abstract class InviteSession extends EventEmitter<InviteSessionEvents> {
  readonly role: 'uac' | 'uas';
  readonly callId: string;
  dialog: Dialog | undefined;
  localSdp: string | undefined;
  remoteSdp: string | undefined;
  protected readonly host: SessionHost;
  /** Where the INVITE went or came from: used when the remote target needs DNS. */
  protected readonly peer: SocketAddress;
  protected readonly fsm = new StateMachine<SessionState>(
    'INVITE session',
    'trying',
    SESSION_TRANSITIONS,
  );
  #end: SessionEnd | undefined;
  /** UAS core: 2xx responses awaiting their ACK, by CSeq number. */
  #pending2xx: Map<number, Invite2xxRetransmitter> | undefined;
  /** UAC core: ACKs we sent for 2xx, by CSeq number, to repeat on 2xx retransmissions. */
  #acks: Map<number, SipRequest> | undefined;
  /** re-INVITE and UPDATE offers, both ways (see `#offers`). */
  #offersPart: DialogOffers | undefined;
  #byeAfterAck = false;
  /** RFC 4028 session timer, when one was negotiated. */
  #refresher: SessionRefresher | undefined;
  /** REFER and its NOTIFYs, both ways (RFC 3515; see `#refers`). */
  #refersPart: DialogRefers | undefined;

  constructor(host: SessionHost, role: 'uac' | 'uas', callId: string, peer: SocketAddress) {
    super();
    this.host = host;
    this.role = role;
    this.callId = callId;
    this.peer = peer;
  }

  /** re-INVITE and UPDATE offers, made on first use (most calls never re-negotiate). */
  get #offers(): DialogOffers {
    this.#offersPart ??= new DialogOffers({
      host: this.host,
      usableDialog: (orAccepted) =>
        this.fsm.is('confirmed') || (orAccepted && this.fsm.is('accepted'))
          ? this.dialog
          : undefined,
      state: () => this.fsm.state,
      localSdp: () => this.localSdp,
      negotiated: (local, remote) => {
        this.localSdp = local;
        if (remote !== undefined) this.remoteSdp = remote;
      },
      refresher: () => this.#refresher,
      build2xx: (request, sdp) => this.build2xx(request, sdp),
      start2xxRetransmission: (seq, response, reply) =>
        this.start2xxRetransmission(seq, response, reply),
      receiveAck: (ack) => this.#receiveAck(ack),
      sendInDialog: (request, user) => this.sendInDialog(request, user),
      ack2xx: (seq) => this.ack2xx(seq),
      sendRequest: (method, options) => this.#sendRequest(method, options),
      failed: (reason) => {
        if (reason === 'timeout') this.#endAfterTimeout();
        else if (reason === 'dialog-gone') this.finish({ reason, by: 'remote' });
        else this.finish({ reason, by: 'local' });
      },
      deliver: (offer) => this.listenerCount('reinvite') > 0 && this.emit('reinvite', offer),
    });
    return this.#offersPart;
  }

  /** REFER and its NOTIFYs, made on first use. */
  get #refers(): DialogRefers {
    const host = this.host;
    this.#refersPart ??= new DialogRefers({
      transactions: host.transactions,
      get contact() {
        return host.contact;
      },
      send: (method, options) => this.#sendRequest(method, options),
      usable: () => this.dialog !== undefined && this.fsm.is('confirmed', 'accepted'),
      nextSeq: () => (this.dialog?.localSeq ?? 0) + 1,
      deliver: (refer) => this.listenerCount('refer') > 0 && this.emit('refer', refer),
    });
    return this.#refersPart;
  }

  get state(): SessionState {
    return this.fsm.state;
  }

  /** The peer's address: where the INVITE came from (UAS) or was sent to (UAC). */
  get remoteAddress(): SocketAddress {
    return this.peer;
  }

  /** How the session ended; undefined while it lives. */
  get end(): SessionEnd | undefined {
    return this.#end;
  }

  /** End the session in whatever way its state calls for (CANCEL, reject or BYE). */
  abstract hangup(): void;

  /** A BYE arrived; subclasses settle what is still pending (UAS: 487, §15.1.2). */
  protected beforeRemoteBye(): void {}

  /** PRACK (RFC 3262 §3): only a UAS with a reliable 1xx outstanding knows one; else 481. */
  protected receivePrack(request: SipRequest, reply: Channel): void {
    this.respondTo(request, reply, 481);
  }

  // ---- in-dialog requests from the peer --------------------------------------------

  /** A request the endpoint matched to this session's dialog (§12.2.2). */
  receiveRequest(request: SipRequest, reply: Channel): void {
    if (request.method === 'ACK') {
      this.#receiveAck(request);
      return;
    }
    const dialog = this.dialog;
    if (dialog === undefined || this.fsm.is('terminated')) {
      this.respondTo(request, reply, 481);
      return;
    }
    if (dialog.receiveRequest(request) === 'out-of-order') {
      // §12.2.2: a lower CSeq than the last one is out of order: 500.
      this.respondTo(request, reply, 500);
      return;
    }
    switch (request.method) {
      case 'BYE':
        this.respondTo(request, reply, 200);
        this.beforeRemoteBye();
        this.finish({ reason: 'bye', by: 'remote' });
        return;
      case 'INVITE':
        this.#offers.receiveReinvite(request, reply);
        return;
      case 'INFO':
        this.respondTo(request, reply, 200);
        this.emit('info', {
          request,
          contentType: request.contentType,
          body: request.body.toString('utf8'),
        });
        return;
      case 'OPTIONS':
        this.respondTo(request, reply, 200, [
          ['Allow', ALLOW],
          ['Accept', SDP],
        ]);
        return;
      case 'UPDATE':
        this.#offers.receiveUpdate(request, reply);
        return;
      case 'PRACK':
        this.receivePrack(request, reply);
        return;
      case 'MESSAGE':
        // RFC 3428 §7: 200 once the message is handed to the user.
        this.respondTo(request, reply, 200);
        this.emit('message', {
          request,
          contentType: request.contentType,
          body: request.body.toString('utf8'),
        });
        return;
      case 'REFER':
        this.#refers.receiveRefer(request, reply);
        return;
      case 'NOTIFY':
        this.respondTo(request, reply, this.#refers.receiveNotify(request));
        return;
      default:
        this.respondTo(request, reply, 501);
    }
  }

  protected respondTo(
    request: SipRequest,
    reply: Channel,
    status: number,
    headers: ReadonlyArray<readonly [string, string]> = [],
  ): void {
    const tx = this.host.transactions.createServerTransaction(request, reply, NO_SERVER_USER);
    tx.respond(createResponse(request, status, { headers }));
  }

  /** A 2xx to an INVITE with our Contact and SDP (§13.3.1.4, §12.1.1). */
  protected build2xx(request: SipRequest, sdp: string | undefined, toTag?: string): SipResponse {
    const headers: Array<[string, string]> = [
      ['Contact', this.host.contact],
      ['Allow', ALLOW],
      ['Supported', SUPPORTED_HEADER],
      ...(this.#refresher?.terms.headers ?? []),
    ];
    if (sdp !== undefined) headers.push(['Content-Type', SDP]);
    return createResponse(request, 200, {
      toTag,
      headers,
      body: sdp === undefined ? undefined : Buffer.from(sdp, 'utf8'),
    });
  }

  /** §13.3.1.4: resend the 2xx at T1, 2T1, … up to T2 until the ACK; BYE after 64*T1. */
  protected start2xxRetransmission(seq: number, response: SipResponse, channel: Channel): void {
    const retransmitter = new Invite2xxRetransmitter(this.host.context, {
      resend: () => channel.send(response),
      onAckTimeout: () => {
        this.#pending2xx?.delete(seq);
        if (this.fsm.is('terminated')) return;
        this.#sendBye();
        this.finish({ reason: 'ack-timeout', by: 'local' });
      },
      onTransportError: () => this.finish({ reason: 'transport-error', by: 'local' }),
    });
    this.#pending2xx ??= new Map();
    this.#pending2xx.set(seq, retransmitter);
  }

  #receiveAck(ack: SipRequest): void {
    const seq = ack.cseq.seq;
    // After an offerless (re-)INVITE our 2xx held the offer and the ACK the answer (§13.2.1).
    const answer = sdpOf(ack);
    if (answer !== undefined) this.remoteSdp = answer;
    const pending = this.#pending2xx;
    if (pending !== undefined) {
      pending.get(seq)?.ackReceived();
      pending.delete(seq);
    }
    this.#offersPart?.acked(seq);
    if (this.fsm.is('accepted')) {
      this.fsm.transition('confirmed');
      this.emit('confirmed');
      if (this.#byeAfterAck) this.bye();
    }
  }

  // ---- requests we send in the dialog ---------------------------------------------

  /**
   * Over a connection-oriented transport, the connection the dialog was set up on: requests
   * go back over it instead of opening one to the Contact (which a client behind NAT, or
   * SIPp in TCP client mode, does not listen on; cf. RFC 5923, RFC 5626).
   */
  protected connection: Channel | undefined;

  /** The channel toward the dialog's next hop (first Route, else remote target). */
  protected dialogChannel(): Channel {
    if (this.connection !== undefined) return this.connection;
    const dialog = this.dialog;
    const hop = dialog === undefined ? undefined : nextHop(dialog.routeSet, dialog.remoteTarget);
    return this.host.channel(hop ?? this.peer);
  }

  protected sendInDialog(request: SipRequest, user: ClientTransactionUser): void {
    this.host.transactions.sendRequest(request, this.dialogChannel(), user);
  }

  /** Send (or repeat) the ACK for a 2xx to our INVITE with CSeq `seq` (§13.2.2.4). */
  protected ack2xx(seq: number, answerSdp?: string): void {
    const dialog = this.dialog;
    if (dialog === undefined) return;
    this.#acks ??= new Map();
    const acks = this.#acks;
    let ack = acks.get(seq);
    if (ack === undefined) {
      // §13.2.1: after an offerless INVITE the ACK carries the answer.
      ack = dialog.createAck(seq, {
        via: this.host.newVia(),
        ...(answerSdp === undefined
          ? {}
          : { body: Buffer.from(answerSdp, 'utf8'), contentType: SDP }),
      });
      acks.set(seq, ack);
      // Only the latest INVITE's ACK can still be asked for again.
      for (const k of acks.keys()) if (k < seq) acks.delete(k);
    }
    try {
      this.dialogChannel().send(ack);
    } catch {
      // The 2xx will be retransmitted; a later ACK may get through.
    }
  }

  /** A 2xx retransmission that no transaction claimed (§13.2.2.4): ACK it again. */
  receiveStray2xx(response: SipResponse): void {
    if (this.#acks?.has(response.cseq.seq) === true) this.ack2xx(response.cseq.seq);
  }

  /**
   * End a confirmed session with BYE (§15.1.1). A UAS whose 2xx is not yet ACKed waits
   * for the ACK (or its timeout) before sending it (§15).
   */
  bye(): void {
    if (this.fsm.is('terminated')) return;
    if (this.fsm.is('accepted') && this.role === 'uas') {
      this.#byeAfterAck = true;
      return;
    }
    if (!this.fsm.is('accepted', 'confirmed')) {
      throw new SipStackError(
        SipErrorCode.IllegalTransition,
        `INVITE session: BYE in state ${this.fsm.state} (use hangup)`,
      );
    }
    this.#sendBye();
    this.finish({ reason: 'bye', by: 'local' });
  }

  protected sendByeOnly(): void {
    this.#sendBye();
  }

  #sendBye(): void {
    const dialog = this.dialog;
    if (dialog === undefined || dialog.state === 'terminated') return;
    const bye = dialog.createRequest('BYE', { via: this.host.newVia() });
    this.sendInDialog(bye, { onResponse: () => {} });
  }

  /**
   * Offer new SDP in the dialog (§14.1), e.g. hold (a=sendonly) and resume. Resolves with
   * the final status; 491 means glare — retry after a random wait (§14.1) if still wanted.
   * 481 and 408 end the session (§12.2.1.2). See dialog-offers.ts.
   */
  reinvite(sdp: string): Promise<ReinviteResult> {
    return this.#offers.reinvite(sdp);
  }

  /**
   * UPDATE in the dialog (RFC 3311): with `sdp` an offer answered in the 2xx (no ACK),
   * without a session / target refresh. An offer while another is in flight resolves 491.
   */
  update(sdp?: string): Promise<ReinviteResult> {
    return this.#offers.update(sdp);
  }

  #endAfterTimeout(): void {
    if (this.fsm.is('terminated')) return;
    this.#sendBye();
    this.finish({ reason: 'timeout', by: 'local' });
  }

  /** Send INFO (e.g. application/dtmf-relay) in the dialog; resolves with the final status. */
  info(contentType: string, body: string): Promise<number> {
    return this.#sendRequest('INFO', { body, contentType }).then((r) => r.status);
  }

  /** Send MESSAGE (RFC 3428) in the dialog; resolves with the final status. */
  message(contentType: string, body: string): Promise<number> {
    return this.#sendRequest('MESSAGE', { body, contentType }).then((r) => r.status);
  }

  /**
   * Ask the peer to send a request to `target` (RFC 3515), e.g. a blind transfer
   * (dialog-refers.ts).
   */
  refer(target: string, options: ReferOptions = {}): OutgoingRefer {
    return this.#refers.refer(target, options);
  }

  /** An in-dialog request other than INVITE/BYE/ACK; resolves with its final response. */
  #sendRequest(method: string, options: SessionRequestOptions): Promise<InDialogRequestResult> {
    const dialog = this.dialog;
    if (dialog === undefined || !this.fsm.is('confirmed', 'accepted')) {
      return Promise.reject(
        new SipStackError(SipErrorCode.IllegalTransition, `${method} in state ${this.fsm.state}`),
      );
    }
    const request = dialog.createRequest(method, {
      via: this.host.newVia(),
      headers: options.headers,
      contact: options.contact === true ? this.host.contact : undefined,
      body: options.body === undefined ? undefined : Buffer.from(options.body, 'utf8'),
      contentType: options.contentType,
    });
    return new Promise((resolve) => {
      this.sendInDialog(request, {
        onResponse: (r) => {
          if (r.status >= 200) resolve({ status: r.status, response: r });
        },
        onTimeout: () => resolve({ status: 408 }),
        onTransportError: () => resolve({ status: 503 }),
      });
    });
  }

  // ---- session timer (RFC 4028) ---------------------------------------------------

  /** Run the negotiated session timer; its headers go into every 2xx for a refresh too. */
  protected useSessionTimer(terms: SessionTimerTerms): void {
    this.#refresher = new SessionRefresher(this.host.clock, terms, {
      // RFC 4028 §9: a refresh is a re-INVITE or an UPDATE. Where the peer allows UPDATE
      // we use it: no offer to repeat, no ACK, no glare with the media session.
      refresh: () => {
        if (!this.fsm.is('confirmed')) return Promise.resolve(0);
        const sent = terms.peerAllowsUpdate ? this.update() : this.reinvite(this.localSdp ?? '');
        return sent.then((r) => r.status);
      },
      expire: () => {
        if (this.fsm.is('terminated')) return;
        this.#sendBye();
        this.finish({ reason: 'timeout', by: 'local' });
      },
    });
  }

  /** Subclasses call this once the session is up (UAS: after the 2xx). */
  protected startSessionTimer(): void {
    this.#refresher?.restart();
  }

  // ---- the end --------------------------------------------------------------------

  /** Enter the dialog table under the current dialog's key. */
  protected registerDialog(dialog: Dialog): void {
    if (this.dialog !== undefined && this.dialog !== dialog) {
      this.host.unregisterDialog(this.dialog.key);
    }
    this.dialog = dialog;
    this.host.registerDialog(dialog.key, this);
  }

  /** Terminate once: stop retransmissions, leave the dialog table, tell the app. */
  protected finish(end: SessionEnd): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    this.#refresher?.stop();
    this.#refersPart?.abandonAll();
    if (this.#pending2xx !== undefined) {
      for (const r of this.#pending2xx.values()) r.stop();
      this.#pending2xx.clear();
    }
    if (!this.fsm.is('terminated')) this.fsm.transition('terminated');
    const dialog = this.dialog;
    if (dialog !== undefined) {
      dialog.terminate();
      this.host.unregisterDialog(dialog.key);
    }
    this.host.sessionEnded(this);
    this.emit('ended', end);
  }

  /** Endpoint shutdown: BYE a confirmed session, then end it as 'closed'. */
  close(): void {
    if (this.fsm.is('terminated')) return;
    if (this.fsm.is('confirmed', 'accepted')) this.#sendBye();
    this.finish({ reason: 'closed', by: 'local' });
  }
}
