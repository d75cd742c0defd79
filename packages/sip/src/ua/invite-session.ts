/**
 * What both sides of an INVITE session share once a dialog exists (RFC 3261 §12–§15):
 * in-dialog requests in both directions (BYE, re-INVITE with 491 glare, INFO, OPTIONS),
 * the UAS core's 2xx retransmission until ACK (§13.3.1.4), the UAC core's ACK for 2xx
 * (§13.2.2.4), and the single 'ended' event. The INVITE that sets the session up is the
 * subclasses' business (incoming-invite-session.ts, outgoing-invite-session.ts).
 */
import { EventEmitter } from 'node:events';
import type { Dialog } from '../dialog/dialog.ts';
import { SipErrorCode, SipStackError } from '../errors.ts';
import { createResponse } from '../message/create-response.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/sip-message.ts';
import { Invite2xxRetransmitter } from '../transaction/invite-2xx-retransmitter.ts';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.ts';
import { StateMachine } from '../transaction/state-machine.ts';
import type { Channel, ClientTransactionUser } from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import type { InviteSessionEvents, ReinviteOffer, SessionEnd } from './session-events.ts';
import { SUPPORTED_OPTION_TAGS } from './option-tags.ts';
import { DialogRefers, type InDialogRequestResult, type ReferOptions } from './dialog-refers.ts';
import type { OutgoingRefer } from './refer.ts';
import type { SessionHost } from './session-host.ts';
import { SessionRefresher, type SessionTimerTerms } from './session-refresher.ts';
import { SESSION_TRANSITIONS, type SessionState } from './session-state.ts';
import { nextHop } from './uri-destination.ts';

export const ALLOW =
  'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, MESSAGE, REFER, NOTIFY';
const SDP = 'application/sdp';

/**
 * Session-Expires for a refresh we send while a timer runs (RFC 4028 §7.4, §8.1): the
 * same interval, and the refresher stays where it is (the sender is "uac" here).
 */
function refreshHeaders(terms: SessionTimerTerms): Array<[string, string]> {
  return [
    ['Session-Expires', `${terms.interval};refresher=${terms.weRefresh ? 'uac' : 'uas'}`],
    ['Supported', 'timer'],
  ];
}

/** The peer listed `method` in its Allow header (RFC 3261 §20.5). */
export function peerAllows(msg: SipMessage, method: string): boolean {
  return msg.headers
    .values('allow')
    .some((v) => v.split(',').some((m) => m.trim().toUpperCase() === method));
}

/** The SDP body of a message, if it carries one. */
export function sdpOf(msg: SipMessage): string | undefined {
  if (msg.body.length === 0 || msg.contentType !== SDP) return undefined;
  return msg.body.toString('utf8');
}

export interface ReinviteResult {
  status: number;
  /** The peer's SDP answer in a 2xx. */
  sdp?: string;
}

interface IncomingReinvite {
  seq: number;
  answered: boolean;
}

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
  readonly #pending2xx = new Map<number, Invite2xxRetransmitter>();
  /** UAC core: ACKs we sent for 2xx, by CSeq number, to repeat on 2xx retransmissions. */
  readonly #acks = new Map<number, SipRequest>();
  #incomingReinvite: IncomingReinvite | undefined;
  #outgoingReinvite = false;
  #byeAfterAck = false;
  /** RFC 4028 session timer, when one was negotiated. */
  #refresher: SessionRefresher | undefined;
  /** REFER and its NOTIFYs, both ways (RFC 3515). */
  readonly #refers: DialogRefers;

  constructor(host: SessionHost, role: 'uac' | 'uas', callId: string, peer: SocketAddress) {
    super();
    this.host = host;
    this.role = role;
    this.callId = callId;
    this.peer = peer;
    this.#refers = new DialogRefers({
      transactions: host.transactions,
      get contact() {
        return host.contact;
      },
      send: (method, options) => this.#sendRequest(method, options),
      usable: () => this.dialog !== undefined && this.fsm.is('confirmed', 'accepted'),
      nextSeq: () => (this.dialog?.localSeq ?? 0) + 1,
      deliver: (refer) => this.listenerCount('refer') > 0 && this.emit('refer', refer),
    });
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
        this.#receiveReinvite(request, reply);
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
        this.#receiveUpdate(request, reply);
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
    const tx = this.host.transactions.createServerTransaction(request, reply, {});
    tx.respond(createResponse(request, status, { headers }));
  }

  /**
   * §14.2: a re-INVITE while our own is pending gets 491; one arriving before we answered
   * the previous gets 500 with Retry-After. Otherwise the application answers it.
   */
  #receiveReinvite(request: SipRequest, reply: Channel): void {
    const tx = this.host.transactions.createServerTransaction(request, reply, {
      // An ACK reusing the re-INVITE's branch (RFC 2543 style) reaches the transaction.
      onAck: (ack) => this.#receiveAck(ack),
    }) as InviteServerTransaction;
    if (this.#outgoingReinvite) {
      tx.respond(createResponse(request, 491));
      return;
    }
    if (this.#incomingReinvite !== undefined && !this.#incomingReinvite.answered) {
      const wait = String(Math.floor(this.host.clock.now() % 10));
      tx.respond(createResponse(request, 500, { headers: [['Retry-After', wait]] }));
      return;
    }
    const pending: IncomingReinvite = { seq: request.cseq.seq, answered: false };
    this.#incomingReinvite = pending;
    const sdp = sdpOf(request);
    const offer: ReinviteOffer = {
      request,
      sdp,
      accept: (answer) => {
        if (pending.answered || tx.state !== 'proceeding') return;
        pending.answered = true;
        if (sdp !== undefined) this.remoteSdp = sdp;
        this.localSdp = answer;
        const response = this.build2xx(request, answer);
        tx.respond(response);
        this.start2xxRetransmission(request.cseq.seq, response, reply);
        this.#refresher?.restart(); // a re-INVITE refreshes the session (RFC 4028 §10)
      },
      reject: (status) => {
        if (pending.answered || tx.state !== 'proceeding') return;
        pending.answered = true;
        this.#incomingReinvite = undefined;
        tx.respond(createResponse(request, status));
      },
    };
    if (this.listenerCount('reinvite') === 0) offer.accept(this.localSdp ?? '');
    else this.emit('reinvite', offer);
  }

  /**
   * UPDATE (RFC 3311) in the dialog: without a body it is a target / session refresh
   * (RFC 4028 refreshers often use it) and gets 200 at once; with an SDP offer the app
   * answers it like a re-INVITE ('reinvite' event; without a listener our current SDP),
   * but the 200 goes on this non-INVITE transaction and needs no ACK. An offer while one
   * of ours is pending gets 491 (RFC 3311 §5.2).
   */
  #receiveUpdate(request: SipRequest, reply: Channel): void {
    const tx = this.host.transactions.createServerTransaction(request, reply, {});
    const headers: Array<[string, string]> = [
      ['Contact', this.host.contact],
      ...(this.#refresher?.terms.headers ?? []),
    ];
    const sdp = sdpOf(request);
    if (sdp === undefined) {
      tx.respond(createResponse(request, 200, { headers }));
      this.#refresher?.restart();
      return;
    }
    if (this.#outgoingReinvite || this.#incomingReinvite !== undefined) {
      tx.respond(createResponse(request, 491));
      return;
    }
    let answered = false;
    const offer: ReinviteOffer = {
      request,
      sdp,
      accept: (answer) => {
        if (answered || tx.state === 'completed' || tx.state === 'terminated') return;
        answered = true;
        this.remoteSdp = sdp;
        this.localSdp = answer;
        tx.respond(
          createResponse(request, 200, {
            headers: [...headers, ['Content-Type', SDP]],
            body: Buffer.from(answer, 'utf8'),
          }),
        );
        this.#refresher?.restart();
      },
      reject: (status) => {
        if (answered || tx.state === 'completed' || tx.state === 'terminated') return;
        answered = true;
        tx.respond(createResponse(request, status));
      },
    };
    if (this.listenerCount('reinvite') === 0) offer.accept(this.localSdp ?? '');
    else this.emit('reinvite', offer);
  }

  /** A 2xx to an INVITE with our Contact and SDP (§13.3.1.4, §12.1.1). */
  protected build2xx(request: SipRequest, sdp: string | undefined, toTag?: string): SipResponse {
    const headers: Array<[string, string]> = [
      ['Contact', this.host.contact],
      ['Allow', ALLOW],
      ['Supported', SUPPORTED_OPTION_TAGS.join(', ')],
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
        this.#pending2xx.delete(seq);
        if (this.fsm.is('terminated')) return;
        this.#sendBye();
        this.finish({ reason: 'ack-timeout', by: 'local' });
      },
      onTransportError: () => this.finish({ reason: 'transport-error', by: 'local' }),
    });
    this.#pending2xx.set(seq, retransmitter);
  }

  #receiveAck(ack: SipRequest): void {
    const seq = ack.cseq.seq;
    // After an offerless (re-)INVITE our 2xx held the offer and the ACK the answer (§13.2.1).
    const answer = sdpOf(ack);
    if (answer !== undefined) this.remoteSdp = answer;
    this.#pending2xx.get(seq)?.ackReceived();
    this.#pending2xx.delete(seq);
    if (this.#incomingReinvite?.seq === seq) this.#incomingReinvite = undefined;
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
    let ack = this.#acks.get(seq);
    if (ack === undefined) {
      // §13.2.1: after an offerless INVITE the ACK carries the answer.
      ack = dialog.createAck(seq, {
        via: this.host.newVia(),
        ...(answerSdp === undefined
          ? {}
          : { body: Buffer.from(answerSdp, 'utf8'), contentType: SDP }),
      });
      this.#acks.set(seq, ack);
      // Only the latest INVITE's ACK can still be asked for again.
      for (const k of this.#acks.keys()) if (k < seq) this.#acks.delete(k);
    }
    try {
      this.dialogChannel().send(ack);
    } catch {
      // The 2xx will be retransmitted; a later ACK may get through.
    }
  }

  /** A 2xx retransmission that no transaction claimed (§13.2.2.4): ACK it again. */
  receiveStray2xx(response: SipResponse): void {
    if (this.#acks.has(response.cseq.seq)) this.ack2xx(response.cseq.seq);
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
   * 481 and 408 end the session (§12.2.1.2).
   */
  reinvite(sdp: string): Promise<ReinviteResult> {
    const dialog = this.dialog;
    if (dialog === undefined || !this.fsm.is('confirmed')) {
      return Promise.reject(
        new SipStackError(
          SipErrorCode.IllegalTransition,
          `INVITE session: re-INVITE in state ${this.fsm.state}`,
        ),
      );
    }
    if (this.#outgoingReinvite || this.#incomingReinvite !== undefined) {
      return Promise.resolve({ status: 491 });
    }
    this.#outgoingReinvite = true;
    // RFC 4028 §7.4/§8.1: while a timer runs, a re-INVITE (refresh or not) restates the
    // interval and keeps the refresher where it is (the sender of this re-INVITE is "uac").
    const terms = this.#refresher?.terms;
    const request = dialog.createRequest('INVITE', {
      via: this.host.newVia(),
      contact: this.host.contact,
      headers: terms === undefined ? [] : refreshHeaders(terms),
      body: Buffer.from(sdp, 'utf8'),
      contentType: SDP,
    });
    const seq = request.cseq.seq;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: ReinviteResult): void => {
        if (settled) return;
        settled = true;
        this.#outgoingReinvite = false;
        resolve(result);
      };
      this.sendInDialog(request, {
        onResponse: (response) => {
          if (response.status < 200) return;
          if (response.status < 300) {
            const first = !settled;
            if (first) dialog.receiveResponse(response);
            this.ack2xx(seq);
            if (!first) return;
            const answer = sdpOf(response);
            this.localSdp = sdp;
            if (answer !== undefined) this.remoteSdp = answer;
            settle(
              answer === undefined
                ? { status: response.status }
                : { status: response.status, sdp: answer },
            );
            return;
          }
          settle({ status: response.status });
          if (response.status === 481) this.finish({ reason: 'dialog-gone', by: 'remote' });
          else if (response.status === 408) this.#endAfterTimeout();
        },
        onTimeout: () => {
          settle({ status: 408 });
          this.#endAfterTimeout();
        },
        onTransportError: () => {
          settle({ status: 503 });
          this.finish({ reason: 'transport-error', by: 'local' });
        },
      });
    });
  }

  /**
   * UPDATE in the dialog (RFC 3311). With `sdp`, a new offer without the re-INVITE's
   * three-way handshake (the 2xx carries the answer; no ACK); without, a session refresh
   * (RFC 4028 §9) or a target refresh (our Contact goes along, §5.1). An offer while
   * another is pending in either direction is not sent: it resolves 491 at once, as the
   * peer would answer (§5.2). 481 and 408 end the session (RFC 3261 §12.2.1.2).
   */
  update(sdp?: string): Promise<ReinviteResult> {
    if (this.dialog === undefined || !this.fsm.is('confirmed', 'accepted')) {
      return Promise.reject(
        new SipStackError(
          SipErrorCode.IllegalTransition,
          `INVITE session: UPDATE in state ${this.fsm.state}`,
        ),
      );
    }
    const offering = sdp !== undefined;
    if (offering && (this.#outgoingReinvite || this.#incomingReinvite !== undefined)) {
      return Promise.resolve({ status: 491 });
    }
    if (offering) this.#outgoingReinvite = true;
    const terms = this.#refresher?.terms;
    return this.#sendRequest('UPDATE', {
      headers: terms === undefined ? [] : refreshHeaders(terms),
      contact: true,
      ...(offering ? { body: sdp, contentType: SDP } : {}),
    }).then((r) => {
      if (offering) this.#outgoingReinvite = false;
      const response = r.response;
      if (response === undefined) {
        if (r.status === 408) this.#endAfterTimeout();
        else this.finish({ reason: 'transport-error', by: 'local' });
        return { status: r.status };
      }
      if (r.status >= 300) {
        if (r.status === 481) this.finish({ reason: 'dialog-gone', by: 'remote' });
        else if (r.status === 408) this.#endAfterTimeout();
        return { status: r.status };
      }
      this.dialog?.receiveResponse(response); // a target refresh (RFC 3311 §5.1)
      this.#refresher?.restart(); // any 2xx to a refresh restarts the timer (RFC 4028 §10)
      const answer = sdpOf(response);
      if (offering) this.localSdp = sdp;
      if (offering && answer !== undefined) this.remoteSdp = answer;
      return answer === undefined ? { status: r.status } : { status: r.status, sdp: answer };
    });
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
  #sendRequest(
    method: string,
    options: {
      headers?: ReadonlyArray<readonly [string, string]>;
      body?: string;
      contentType?: string;
      contact?: boolean;
    },
  ): Promise<InDialogRequestResult> {
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
    this.#refers.abandonAll();
    for (const r of this.#pending2xx.values()) r.stop();
    this.#pending2xx.clear();
    if (!this.fsm.is('terminated')) this.fsm.transition('terminated');
    const dialog = this.dialog;
    if (dialog !== undefined) {
      dialog.terminate();
      this.host.unregisterDialog(dialog.key);
    }
    this.emit('ended', end);
  }

  /** Endpoint shutdown: BYE a confirmed session, then end it as 'closed'. */
  close(): void {
    if (this.fsm.is('terminated')) return;
    if (this.fsm.is('confirmed', 'accepted')) this.#sendBye();
    this.finish({ reason: 'closed', by: 'local' });
  }
}
