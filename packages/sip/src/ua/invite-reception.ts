/**
 * A SipEndpoint's reception of new INVITEs and of CANCELs for them:
 *
 *   INVITE (no To tag, not merged) ─┬─ Contact "*" → 400 (§8.1.1.8)
 *                                   ├─ Session-Expires below our Min-SE → 422 (RFC 4028 §8.1)
 *                                   └─ INVITE server transaction (100 Trying, §17.2.1)
 *                                        → screenInvite: refusal → that status
 *                                        → IncomingInviteSession → 'invite' event, else 480
 *   CANCEL ─ pending INVITE → 200, and the session answers the INVITE 487 (§9.2); else 481
 *
 * One `InviteReception` per endpoint holds the incoming sessions still before their final
 * response, by INVITE transaction key (what a CANCEL looks up). Each INVITE transaction's
 * user is an `InviteTransactionUser` object rather than closures (see below).
 */
import type { EventEmitter } from 'node:events';
import { createResponse } from '../message/create-response.ts';
import type { SipRequest } from '../message/sip-message.ts';
import { createTag, type RandomHex } from '../transaction/identifiers.ts';
import type { InviteServerTransaction } from '../transaction/invite-server-transaction.ts';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import {
  type Channel,
  NO_SERVER_USER,
  type ServerTransactionUser,
} from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import type { Refuse, SipEndpointEvents, SipEndpointOptions } from './endpoint-options.ts';
import { respondFinal, respondFinalInNewTransaction } from './final-response.ts';
import { IncomingInviteSession } from './incoming-invite-session.ts';
import type { InviteSession } from './invite-session.ts';
import type { SessionHost } from './session-host.ts';
import { negotiateSessionTimer } from './session-timer.ts';

/** What INVITE reception needs of its endpoint, given once when the endpoint is made. */
export interface InviteReceptionContext {
  readonly transactions: TransactionLayer;
  readonly random: RandomHex;
  /** The endpoint's options: `sessionTimer` and `screenInvite` are read per INVITE. */
  readonly options: SipEndpointOptions;
  /** §8.2.2.2 merge keys of live out-of-dialog server transactions (the endpoint's set). */
  readonly inFlight: Set<string>;
  /** The endpoint's live sessions; an admitted incoming session joins them. */
  readonly sessions: Set<InviteSession>;
  /** Where 'invite' events go (the endpoint itself). */
  readonly events: EventEmitter<SipEndpointEvents>;
  /** True once the endpoint is closed (an asynchronous screening may finish after that). */
  isClosed(): boolean;
  /** The SessionHost for the transport an INVITE's Via names, else the default transport's. */
  sessionHostFor(viaProtocol: string): SessionHost;
}

export class InviteReception {
  readonly #transactions: TransactionLayer;
  readonly #random: RandomHex;
  readonly #options: SipEndpointOptions;
  readonly #inFlight: Set<string>;
  readonly #sessions: Set<InviteSession>;
  readonly #context: InviteReceptionContext;
  /** Incoming sessions still before their final response, by INVITE transaction key (§9.2). */
  readonly #pending = new Map<string, IncomingInviteSession>();

  constructor(context: InviteReceptionContext) {
    this.#context = context;
    this.#transactions = context.transactions;
    this.#random = context.random;
    this.#options = context.options;
    this.#inFlight = context.inFlight;
    this.#sessions = context.sessions;
  }

  /**
   * A new INVITE outside any dialog, not merged (§8.2.2.2). `mergeKey` stays in the
   * endpoint's in-flight set until the INVITE transaction ends.
   */
  receive(request: SipRequest, source: SocketAddress, reply: Channel, mergeKey: string): void {
    if (request.contacts.star) {
      // §8.1.1.8: "*" is for REGISTER only. (No Contact at all is tolerated: RFC 2543.)
      this.#refuse(request, reply, { status: 400, reason: 'Bad Contact Header' });
      return;
    }
    const timerPolicy =
      this.#options.sessionTimer === false ? undefined : (this.#options.sessionTimer ?? {});
    if (timerPolicy !== undefined) {
      const timer = negotiateSessionTimer(request, timerPolicy);
      if (timer.kind === 'too-small') {
        // RFC 4028 §8.1: 422 Session Interval Too Small, with our minimum.
        this.#refuse(request, reply, {
          status: 422,
          headers: [['Min-SE', String(timer.minSE)]],
        });
        return;
      }
    }
    // The transaction exists (and has sent 100 Trying) before admission control runs, so
    // retransmissions are absorbed while an asynchronous check is pending.
    const user = new InviteTransactionUser(this.#pending, reply, this.#inFlight);
    const tx = this.#transactions.createServerTransaction(
      request,
      reply,
      user,
    ) as InviteServerTransaction;
    user.key = tx.key;
    if (tx.state !== 'terminated') {
      // §8.2.2.2: in flight until the transaction ends.
      this.#inFlight.add(mergeKey);
      user.mergeKey = mergeKey;
    }
    const viaProtocol = request.topVia?.transport ?? 'UDP';
    const admit = (refusal: Refuse | undefined): void => {
      if (tx.state !== 'proceeding' || this.#context.isClosed()) return;
      if (refusal !== undefined) {
        respondFinal(tx, request, refusal, this.#random);
        return;
      }
      const created = new IncomingInviteSession(
        // In-dialog requests go back over the transport the INVITE came on.
        this.#context.sessionHostFor(viaProtocol),
        request,
        tx,
        reply,
        source,
        timerPolicy,
      );
      // Tracked until it ends (the endpoint's sessionEnded, through its SessionHost).
      this.#sessions.add(created);
      this.#pending.set(tx.key, created);
      const events = this.#context.events;
      if (events.listenerCount('invite') === 0) created.reject(480);
      else events.emit('invite', created);
    };
    const screened = this.#options.screenInvite?.(request, source);
    if (screened instanceof Promise) {
      screened.then(admit, () => admit({ status: 500 }));
    } else {
      admit(screened);
    }
  }

  /** §9.2: CANCEL gets 200 when it matches a pending INVITE, which then gets 487. */
  receiveCancel(cancel: SipRequest, reply: Channel): void {
    const inviteTx = this.#transactions.findInviteForCancel(cancel);
    const session = inviteTx === undefined ? undefined : this.#pending.get(inviteTx.key);
    const tx = this.#transactions.createServerTransaction(cancel, reply, NO_SERVER_USER);
    if (session === undefined) {
      tx.respond(createResponse(cancel, 481, { toTag: createTag(this.#random) }));
      return;
    }
    tx.respond(createResponse(cancel, 200, { toTag: session.localTag }));
    session.cancelled();
  }

  /** The session ended: the INVITE transaction outlives the call by Timer L (64*T1); let it go. */
  sessionEnded(session: IncomingInviteSession): void {
    const key = session.transactionKey;
    if (this.#pending.get(key) === session) this.#pending.delete(key);
  }

  #refuse(request: SipRequest, reply: Channel, refuse: Refuse): void {
    respondFinalInNewTransaction(this.#transactions, request, reply, refuse, this.#random);
  }
}

/**
 * The INVITE server transaction's user, an object rather than closures: closures made in
 * InviteReception.receive would share its scope and keep the INVITE, its source and the
 * admission state alive for as long as the transaction (64*T1 after the 2xx).
 */
class InviteTransactionUser implements ServerTransactionUser {
  /** The transaction's key; its session, while it lives, is `pending.get(key)`. */
  key = '';
  /** The INVITE's §8.2.2.2 merge key, in `inFlight` until the transaction ends. */
  mergeKey: string | undefined;
  readonly #pending: Map<string, IncomingInviteSession>;
  readonly #reply: Channel;
  readonly #inFlight: Set<string>;

  constructor(pending: Map<string, IncomingInviteSession>, reply: Channel, inFlight: Set<string>) {
    this.#pending = pending;
    this.#reply = reply;
    this.#inFlight = inFlight;
  }

  /** RFC 6026: an ACK reusing the INVITE's branch reaches the transaction, not the TU. */
  onAck(ack: SipRequest): void {
    this.#pending.get(this.key)?.receiveRequest(ack, this.#reply);
  }

  onTransportError(): void {
    this.#pending.get(this.key)?.transportFailed();
  }

  onTerminated(): void {
    this.#pending.delete(this.key);
    if (this.mergeKey !== undefined) this.#inFlight.delete(this.mergeKey);
  }
}
