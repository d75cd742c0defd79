/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8).
 *
 *                       | request received: pass to TU
 *                       V
 *                  +---------+  request: absorb
 *                  |  trying |
 *                  +---------+
 *     1xx from TU:    |    | 200-699 from TU: send
 *     send            |    +--------------------------+
 *                     V                               |
 *  request: resend +------------+ 200-699 from TU:    |
 *  1xx from TU:    | proceeding |------------------+  |
 *  send            +------------+ send             |  |
 *                         | transport error       V  V
 *                         |               +-----------+ request: resend
 *                         |               | completed |
 *                         |               +-----------+
 *                         |                     | Timer J
 *                         V                     V
 *                  +------------+<--------------+
 *                  | terminated |
 *                  +------------+
 */
import { SipErrorCode, SipStackError } from '../errors.ts';
import { type SipRequest, SipResponse } from '../message/sip-message.ts';
import { StateMachine, type TransitionTable } from './state-machine.ts';
import { TransactionBase } from './transaction-base.ts';
import type { Channel, ServerTransactionUser, TransactionContext } from './transaction-types.ts';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

const TRANSITIONS: TransitionTable<NonInviteServerState> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
};

export class NonInviteServerTransaction extends TransactionBase {
  #request: SipRequest | undefined;
  readonly #user: ServerTransactionUser;
  readonly #fsm = new StateMachine<NonInviteServerState>(
    'non-INVITE server transaction',
    'trying',
    TRANSITIONS,
  );
  #lastResponse: SipResponse | undefined;

  constructor(
    key: string,
    request: SipRequest,
    channel: Channel,
    context: TransactionContext,
    user: ServerTransactionUser,
  ) {
    super(key, channel, context);
    this.#request = request;
    this.#user = user;
  }

  /** The request, until the transaction only waits out Timer J (Completed). */
  get request(): SipRequest | undefined {
    return this.#request;
  }

  get state(): NonInviteServerState {
    return this.#fsm.state;
  }

  get lastResponse(): SipResponse | undefined {
    return this.#lastResponse;
  }

  respond(response: SipResponse): void {
    if (!this.#fsm.is('trying', 'proceeding')) {
      throw new SipStackError(
        SipErrorCode.IllegalTransition,
        `non-INVITE server transaction: cannot send ${response.status} in state ${this.#fsm.state}`,
      );
    }
    this.#lastResponse = response;
    if (response.status < 200) {
      if (this.#fsm.is('trying')) this.#fsm.transition('proceeding');
      this.#send(response);
      return;
    }
    this.#fsm.transition('completed');
    if (!this.#send(response)) return;
    this.#request = undefined;
    if (this.t.J !== 0) {
      // Kept for 64*T1 to answer retransmissions: only its own text, not the request's.
      this.#lastResponse = new SipResponse(
        response.status,
        response.reason,
        response.headers.detached(),
        response.body,
        response.version,
      );
    }
    if (this.t.J === 0) this.#terminate();
    else this.startTimer('J', this.t.J, () => this.#terminate());
  }

  /** A retransmission of the request (§17.2.2). */
  receiveRequest(_request: SipRequest): void {
    if (this.#fsm.is('proceeding', 'completed') && this.#lastResponse)
      this.#send(this.#lastResponse);
  }

  #send(response: SipResponse): boolean {
    const err = this.transmit(response);
    if (err === undefined) return true;
    this.#terminate();
    this.#user.onTransportError?.(err);
    return false;
  }

  #terminate(): void {
    if (this.#fsm.is('terminated')) return;
    this.#fsm.transition('terminated');
    this.finish();
    this.#user.onTerminated?.();
  }
}
