/**
 * The transaction layer (RFC 3261 §17): creates transactions, matches incoming messages
 * to them, and forgets them when they terminate. It sits between the transport (which
 * calls receiveRequest / receiveResponse with validated messages) and the TU.
 */
import type { Clock } from '../clock/clock.ts';
import { SipErrorCode, SipStackError } from '../errors.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { InviteClientTransaction } from './invite-client-transaction.ts';
import { type InviteServerOptions, InviteServerTransaction } from './invite-server-transaction.ts';
import { NonInviteClientTransaction } from './non-invite-client-transaction.ts';
import { NonInviteServerTransaction } from './non-invite-server-transaction.ts';
import { DEFAULT_TIMERS, type TimerConfig } from './timer-values.ts';
import { cancelTargetKey, clientKey, serverKey } from './transaction-key.ts';
import type {
  Channel,
  ClientTransactionUser,
  ServerTransactionUser,
  TransactionContext,
} from './transaction-types.ts';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

export interface TransactionLayerOptions {
  clock: Clock;
  timers?: TimerConfig;
  invite?: InviteServerOptions;
}

export class TransactionLayer {
  readonly #context: TransactionContext;
  readonly #inviteOptions: InviteServerOptions;
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerTransaction>();

  constructor(options: TransactionLayerOptions) {
    this.#context = { clock: options.clock, timers: options.timers ?? DEFAULT_TIMERS };
    this.#inviteOptions = options.invite ?? {};
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  get serverCount(): number {
    return this.#servers.size;
  }

  /**
   * Start a client transaction for `request` (which must carry a unique RFC 3261 branch,
   * §8.1.1.7). ACK is not a transaction: the TU sends ACKs for 2xx directly (§17.1.1.3).
   */
  sendRequest(
    request: SipRequest,
    channel: Channel,
    user: ClientTransactionUser,
  ): ClientTransaction {
    if (request.method === 'ACK') {
      throw new SipStackError(SipErrorCode.InvalidArgument, 'ACK is sent without a transaction');
    }
    const key = clientKey(request);
    if (this.#clients.has(key)) {
      throw new SipStackError(SipErrorCode.InvalidArgument, `duplicate client transaction ${key}`);
    }
    const tx =
      request.method === 'INVITE'
        ? new InviteClientTransaction(key, request, channel, this.#context, user)
        : new NonInviteClientTransaction(key, request, channel, this.#context, user);
    tx.fileIn(this.#clients);
    tx.start();
    return tx;
  }

  /**
   * Deliver a response to its client transaction (§17.1.3). Returns false when none
   * matches: the core then handles it (stray 2xx retransmissions, §13.2.2.4).
   */
  receiveResponse(response: SipResponse): boolean {
    const tx = this.#clients.get(clientKey(response));
    if (tx === undefined) return false;
    tx.receiveResponse(response);
    return true;
  }

  /**
   * Deliver a request to its server transaction if it is a retransmission or an ACK for
   * a non-2xx/accepted INVITE (§17.2.3). Returns false for a new request — create a
   * server transaction with createServerTransaction — or an ACK for a 2xx that goes
   * straight to the TU.
   */
  receiveRequest(request: SipRequest): boolean {
    const tx = this.#servers.get(serverKey(request));
    if (tx === undefined) return false;
    if (tx instanceof InviteServerTransaction) tx.receiveRequest(request);
    else if (request.method !== 'ACK') tx.receiveRequest(request);
    return true;
  }

  createServerTransaction(
    request: SipRequest,
    channel: Channel,
    user: ServerTransactionUser,
  ): ServerTransaction {
    if (request.method === 'ACK') {
      throw new SipStackError(SipErrorCode.InvalidArgument, 'ACK does not create a transaction');
    }
    const key = serverKey(request);
    if (this.#servers.has(key)) {
      throw new SipStackError(SipErrorCode.InvalidArgument, `duplicate server transaction ${key}`);
    }
    const tx =
      request.method === 'INVITE'
        ? new InviteServerTransaction(
            key,
            request,
            channel,
            this.#context,
            user,
            this.#inviteOptions,
          )
        : new NonInviteServerTransaction(key, request, channel, this.#context, user);
    tx.fileIn(this.#servers);
    return tx;
  }

  findServerTransaction(request: SipRequest): ServerTransaction | undefined {
    return this.#servers.get(serverKey(request));
  }

  /** §9.2: the INVITE server transaction a CANCEL targets, if still known. */
  findInviteForCancel(cancel: SipRequest): InviteServerTransaction | undefined {
    const tx = this.#servers.get(cancelTargetKey(cancel));
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }
}
