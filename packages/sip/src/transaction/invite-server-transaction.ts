/**
 * INVITE server transaction (RFC 3261 §17.2.1, Figure 7, as fixed by RFC 6026 §7.1: a
 * 2xx moves to Accepted, where INVITE retransmissions are absorbed and the TU keeps
 * retransmitting the 2xx itself until Timer L).
 *
 *                         | INVITE: pass to TU, send 100 Trying
 *   INVITE: resend last   V
 *   provisional    +------------+  1xx from TU: send
 *          +-------| proceeding |<------+
 *          +------>|            |-------+
 *                  +------------+          2xx from TU: send
 *   300-699 from TU: |    |  |------------------------------+
 *   send, arm G, H   |    | transport error: inform TU      |
 *                    V    +-------------------+             V
 *  INVITE: resend +-----------+               |       +----------+ 2xx from TU: send
 *  Timer G: resend| completed |               |       | accepted | INVITE: absorb
 *         +-------|           |---------+     |       |          | ACK: to TU
 *         +------>+-----------+ Timer H |     |       +----------+
 *                        | ACK          |     |             | Timer L
 *                        V              |     |             |
 *                  +-----------+        |     |             |
 *   ACK: absorb    | confirmed |        |     |             |
 *                  +-----------+        |     |             |
 *                        | Timer I      V     V             |
 *                        |          +------------+          |
 *                        +--------->| terminated |<---------+
 *                                   +------------+
 */
import { SipErrorCode, SipStackError } from '../errors.ts';
import { createResponse } from '../message/create-response.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { StateMachine, type TransitionTable } from './state-machine.ts';
import { TransactionBase } from './transaction-base.ts';
import type { Channel, ServerTransactionUser, TransactionContext } from './transaction-types.ts';

export type InviteServerState =
  | 'proceeding'
  | 'completed'
  | 'confirmed'
  | 'accepted'
  | 'terminated';

const TRANSITIONS: TransitionTable<InviteServerState> = {
  proceeding: ['completed', 'accepted', 'terminated'],
  completed: ['confirmed', 'terminated'],
  confirmed: ['terminated'],
  accepted: ['terminated'],
  terminated: [],
};

export interface InviteServerOptions {
  /**
   * Send 100 Trying at once (§17.2.1: required unless the TU answers within 200 ms).
   * Default true.
   */
  autoTrying?: boolean;
}

export class InviteServerTransaction extends TransactionBase {
  #request: SipRequest | undefined;
  readonly #user: ServerTransactionUser;
  readonly #fsm = new StateMachine<InviteServerState>(
    'INVITE server transaction',
    'proceeding',
    TRANSITIONS,
  );
  #lastResponse: SipResponse | undefined;

  constructor(
    key: string,
    request: SipRequest,
    channel: Channel,
    context: TransactionContext,
    user: ServerTransactionUser,
    options: InviteServerOptions = {},
  ) {
    super(key, channel, context);
    this.#request = request;
    this.#user = user;
    if (options.autoTrying ?? true) this.respond(createResponse(request, 100));
  }

  /**
   * The INVITE, until the transaction only waits out Timer L (Accepted) or Timer H / I
   * (Completed, Confirmed): a busy server holds tens of thousands of those for 64*T1,
   * and nothing in them needs the request again.
   */
  get request(): SipRequest | undefined {
    return this.#request;
  }

  get state(): InviteServerState {
    return this.#fsm.state;
  }

  get lastResponse(): SipResponse | undefined {
    return this.#lastResponse;
  }

  /** A response from the TU (§17.2.1). 2xx may be sent again while Accepted. */
  respond(response: SipResponse): void {
    const status = response.status;
    if (this.#fsm.is('accepted') && status >= 200 && status < 300) {
      this.#send(response);
      return;
    }
    if (!this.#fsm.is('proceeding')) {
      throw new SipStackError(
        SipErrorCode.IllegalTransition,
        `INVITE server transaction: cannot send ${status} in state ${this.#fsm.state}`,
      );
    }
    this.#lastResponse = response;
    if (status < 200) {
      this.#send(response);
    } else if (status < 300) {
      this.#fsm.transition('accepted');
      if (!this.#send(response)) return;
      this.#lastResponse = undefined;
      this.#request = undefined;
      this.startTimer('L', this.t.L, () => this.#terminate());
    } else {
      this.#fsm.transition('completed');
      if (!this.#send(response)) return;
      this.#request = undefined;
      response.releaseParsed();
      if (!this.channel.reliable) this.#armG(this.t.G);
      this.startTimer('H', this.t.H, () => {
        if (!this.#fsm.is('completed')) return;
        this.#terminate();
        this.#user.onTimeout?.();
      });
    }
  }

  #armG(interval: number): void {
    this.startTimer('G', interval, () => {
      if (!this.#fsm.is('completed') || this.#lastResponse === undefined) return;
      if (this.#send(this.#lastResponse))
        this.#armG(Math.min(2 * interval, this.context.timers.t2));
    });
  }

  /** A retransmitted INVITE or an ACK matched to this transaction (§17.2.3). */
  receiveRequest(request: SipRequest): void {
    if (request.method === 'ACK') {
      if (this.#fsm.is('completed')) {
        this.#fsm.transition('confirmed');
        this.stopTimer('G');
        this.stopTimer('H');
        if (this.t.I === 0) this.#terminate();
        else this.startTimer('I', this.t.I, () => this.#terminate());
      } else if (this.#fsm.is('accepted')) {
        this.#user.onAck?.(request);
      }
      return;
    }
    // INVITE retransmission: repeat the last response; absorbed while Accepted (RFC 6026).
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
