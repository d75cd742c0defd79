/**
 * INVITE client transaction (RFC 3261 §17.1.1, Figure 5, as fixed by RFC 6026 §8.4: a
 * 2xx moves to Accepted instead of Terminated so 2xx retransmissions still reach the TU).
 *
 *                      | INVITE from TU
 *    Timer A fires     | INVITE sent            Timer B fires
 *    reset A,          V                        or transport error:
 *    INVITE sent  +-----------+                 inform TU
 *        +--------|  calling  |------------------------------+
 *        +------->|           |-----------+ 2xx: to TU       |
 *                 +-----------+           |                  |
 *      300-699:      |  | 1xx: to TU      |                  |
 *      ACK sent,     |  V                 |                  |
 *      to TU         | +------------+     |                  |
 *        +-----------+ | proceeding |-----+ 2xx: to TU       |
 *        |  300-699:   +------------+     |                  |
 *        |  ACK, to TU |  ^ 1xx: to TU    V                  |
 *        V <-----------+  |        +----------+ 2xx: to TU   |
 *  +-----------+  300-699:          | accepted |<-----+       |
 *  | completed |  ACK sent          +----------+------+       |
 *  +-----------+--+                      | Timer M           |
 *        ^        |                      V                   |
 *        +--------+                +------------+            |
 *        | Timer D                 | terminated |<-----------+
 *        +------------------------>+------------+
 */
import { SipErrorCode, SipStackError } from '../errors.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { buildNon2xxAck } from './build-ack.ts';
import { StateMachine, type TransitionTable } from './state-machine.ts';
import { TransactionBase } from './transaction-base.ts';
import type { Channel, ClientTransactionUser, TransactionContext } from './transaction-types.ts';

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

const TRANSITIONS: TransitionTable<InviteClientState> = {
  calling: ['proceeding', 'completed', 'accepted', 'terminated'],
  proceeding: ['completed', 'accepted', 'terminated'],
  completed: ['terminated'],
  accepted: ['terminated'],
  terminated: [],
};

export class InviteClientTransaction extends TransactionBase {
  readonly request: SipRequest;
  readonly #user: ClientTransactionUser;
  readonly #fsm = new StateMachine<InviteClientState>(
    'INVITE client transaction',
    'calling',
    TRANSITIONS,
  );
  #ack: SipRequest | undefined;

  constructor(
    key: string,
    request: SipRequest,
    channel: Channel,
    context: TransactionContext,
    user: ClientTransactionUser,
  ) {
    super(key, channel, context);
    if (request.method !== 'INVITE') {
      throw new SipStackError(
        SipErrorCode.InvalidArgument,
        'INVITE client transaction needs an INVITE',
      );
    }
    this.request = request;
    this.#user = user;
  }

  get state(): InviteClientState {
    return this.#fsm.state;
  }

  /** Send the INVITE and arm Timers A (unreliable transports only) and B (§17.1.1.2). */
  start(): void {
    if (!this.#send(this.request)) return;
    if (!this.channel.reliable) this.#armA(this.t.A);
    this.startTimer('B', this.t.B, () => this.#timeout());
  }

  #armA(interval: number): void {
    this.startTimer('A', interval, () => {
      if (!this.#fsm.is('calling')) return;
      if (this.#send(this.request)) this.#armA(interval * 2);
    });
  }

  #send(message: SipRequest): boolean {
    const err = this.transmit(message);
    if (err === undefined) return true;
    this.#terminate();
    this.#user.onTransportError?.(err);
    return false;
  }

  #timeout(): void {
    if (!this.#fsm.is('calling')) return;
    this.#terminate();
    this.#user.onTimeout?.();
  }

  /** A response matched to this transaction by the transaction layer (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.#fsm.state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          if (this.#fsm.is('calling')) {
            this.#fsm.transition('proceeding');
            this.stopTimer('A');
            this.stopTimer('B');
          }
          this.#user.onResponse(response);
        } else if (status < 300) {
          // RFC 6026 §8.4: wait in Accepted for 2xx retransmissions (Timer M).
          this.#fsm.transition('accepted');
          this.stopTimer('A');
          this.stopTimer('B');
          this.startTimer('M', this.t.M, () => this.#terminate());
          this.#user.onResponse(response);
        } else {
          this.#fsm.transition('completed');
          this.stopTimer('A');
          this.stopTimer('B');
          this.#ack = buildNon2xxAck(this.request, response);
          if (!this.#send(this.#ack)) return;
          this.#user.onResponse(response);
          if (this.t.D === 0) this.#terminate();
          else this.startTimer('D', this.t.D, () => this.#terminate());
        }
        return;
      case 'completed':
        // A retransmitted final response: repeat the ACK, do not bother the TU (§17.1.1.2).
        if (status >= 300 && this.#ack) this.#send(this.#ack);
        return;
      case 'accepted':
        if (status >= 200 && status < 300) this.#user.onResponse(response);
        return;
      case 'terminated':
        return;
    }
  }

  #terminate(): void {
    if (this.#fsm.is('terminated')) return;
    this.#fsm.transition('terminated');
    this.finish();
    this.#user.onTerminated?.();
  }
}
