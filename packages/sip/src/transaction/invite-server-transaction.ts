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
import { checkedTransition, type TransitionTable } from './state-machine.ts';
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
  /** The state in a field of its own (no StateMachine object per transaction). */
  #state: InviteServerState = 'proceeding';
  #lastResponse: SipResponse | undefined;
  /** Timer G's current interval (§17.2.1: T1, doubling up to T2). */
  #gInterval = 0;

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
    return this.#state;
  }

  #transition(to: InviteServerState): void {
    this.#state = checkedTransition('INVITE server transaction', TRANSITIONS, this.#state, to);
  }

  get lastResponse(): SipResponse | undefined {
    return this.#lastResponse;
  }

  /** A response from the TU (§17.2.1). 2xx may be sent again while Accepted. */
  respond(response: SipResponse): void {
    const status = response.status;
    if (this.#state === 'accepted' && status >= 200 && status < 300) {
      this.#send(response);
      return;
    }
    if (this.#state !== 'proceeding') {
      throw new SipStackError(
        SipErrorCode.IllegalTransition,
        `INVITE server transaction: cannot send ${status} in state ${this.#state}`,
      );
    }
    this.#lastResponse = response;
    if (status < 200) {
      this.#send(response);
    } else if (status < 300) {
      this.#transition('accepted');
      if (!this.#send(response)) return;
      this.#lastResponse = undefined;
      this.#request = undefined;
      this.startTimer('L', this.t.L);
    } else {
      this.#transition('completed');
      if (!this.#send(response)) return;
      this.#request = undefined;
      response.releaseParsed();
      if (!this.channel.reliable) this.#armG(this.t.G);
      this.startTimer('H', this.t.H);
    }
  }

  #armG(interval: number): void {
    this.#gInterval = interval;
    this.startTimer('G', interval);
  }

  /** Timers G, H, I and L (started without closures). */
  override timerFired(name: string): void {
    switch (name) {
      case 'G':
        if (this.#state !== 'completed' || this.#lastResponse === undefined) return;
        if (this.#send(this.#lastResponse))
          this.#armG(Math.min(2 * this.#gInterval, this.context.timers.t2));
        return;
      case 'H':
        if (this.#state !== 'completed') return;
        this.#terminate();
        this.#user.onTimeout?.();
        return;
      case 'I':
      case 'L':
        this.#terminate();
        return;
    }
  }

  /** A retransmitted INVITE or an ACK matched to this transaction (§17.2.3). */
  receiveRequest(request: SipRequest): void {
    if (request.method === 'ACK') {
      if (this.#state === 'completed') {
        this.#transition('confirmed');
        this.stopTimer('G');
        this.stopTimer('H');
        if (this.t.I === 0) this.#terminate();
        else this.startTimer('I', this.t.I);
      } else if (this.#state === 'accepted') {
        this.#user.onAck?.(request);
      }
      return;
    }
    // INVITE retransmission: repeat the last response; absorbed while Accepted (RFC 6026).
    if ((this.#state === 'proceeding' || this.#state === 'completed') && this.#lastResponse)
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
    if (this.#state === 'terminated') return;
    this.#transition('terminated');
    this.finish();
    this.#user.onTerminated?.();
  }
}
