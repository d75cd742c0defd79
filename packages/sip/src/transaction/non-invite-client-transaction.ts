/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6).
 *
 *                       | request from TU, request sent
 *   Timer E: send,      V                     Timer F or transport error:
 *   E = min(2E, T2) +---------+               inform TU
 *           +-------|  trying |-------------------------------+
 *           +------>|         |------------+ 200-699: to TU   |
 *                   +---------+            |                  |
 *                      | 1xx: to TU        |                  |
 *                      V                   |                  |
 *   Timer E: send, +------------+          |                  |
 *   E = T2   +-----| proceeding |----------+ 200-699: to TU   |
 *            +---->|            |-------------------------------+
 *     1xx: to TU   +------------+          |                  |
 *                                          V                  |
 *                                   +-----------+             |
 *                  response: absorb | completed |             |
 *                                   +-----------+             |
 *                                          | Timer K          |
 *                                          V                  |
 *                                   +------------+            |
 *                                   | terminated |<-----------+
 *                                   +------------+
 */
import { SipErrorCode, SipStackError } from '../errors.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { StateMachine, type TransitionTable } from './state-machine.ts';
import { TransactionBase } from './transaction-base.ts';
import type { Channel, ClientTransactionUser, TransactionContext } from './transaction-types.ts';

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

const TRANSITIONS: TransitionTable<NonInviteClientState> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
};

export class NonInviteClientTransaction extends TransactionBase {
  readonly request: SipRequest;
  readonly #user: ClientTransactionUser;
  readonly #fsm = new StateMachine<NonInviteClientState>(
    'non-INVITE client transaction',
    'trying',
    TRANSITIONS,
  );

  constructor(
    key: string,
    request: SipRequest,
    channel: Channel,
    context: TransactionContext,
    user: ClientTransactionUser,
  ) {
    super(key, channel, context);
    if (request.method === 'INVITE' || request.method === 'ACK') {
      throw new SipStackError(
        SipErrorCode.InvalidArgument,
        `${request.method} is not a non-INVITE transaction`,
      );
    }
    this.request = request;
    this.#user = user;
  }

  get state(): NonInviteClientState {
    return this.#fsm.state;
  }

  /** Send the request; arm Timer E (unreliable only) and Timer F (§17.1.2.2). */
  start(): void {
    if (!this.#send()) return;
    if (!this.channel.reliable) this.#armE(this.t.E);
    this.startTimer('F', this.t.F, () => {
      if (this.#fsm.is('trying', 'proceeding')) {
        this.#terminate();
        this.#user.onTimeout?.();
      }
    });
  }

  #armE(interval: number): void {
    this.startTimer('E', interval, () => {
      if (!this.#fsm.is('trying', 'proceeding')) return;
      if (!this.#send()) return;
      // Trying doubles up to T2; Proceeding retransmits every T2.
      const t2 = this.context.timers.t2;
      this.#armE(this.#fsm.is('trying') ? Math.min(2 * interval, t2) : t2);
    });
  }

  #send(): boolean {
    const err = this.transmit(this.request);
    if (err === undefined) return true;
    this.#terminate();
    this.#user.onTransportError?.(err);
    return false;
  }

  receiveResponse(response: SipResponse): void {
    if (!this.#fsm.is('trying', 'proceeding')) return; // completed absorbs retransmissions
    if (response.status < 200) {
      if (this.#fsm.is('trying')) this.#fsm.transition('proceeding');
      this.#user.onResponse(response);
      return;
    }
    this.#fsm.transition('completed');
    this.stopTimer('E');
    this.stopTimer('F');
    this.#user.onResponse(response);
    if (this.t.K === 0) this.#terminate();
    else this.startTimer('K', this.t.K, () => this.#terminate());
  }

  #terminate(): void {
    if (this.#fsm.is('terminated')) return;
    this.#fsm.transition('terminated');
    this.finish();
    this.#user.onTerminated?.();
  }
}
