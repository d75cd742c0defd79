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
import { parseMessage } from '../message/parse-message.ts';
import { serializeHead } from '../message/serialize-message.ts';
import type { SipRequest, SipResponse } from '../message/sip-message.ts';
import { checkedTransition, type TransitionTable } from './state-machine.ts';
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
  /** The state in a field of its own (no StateMachine object per transaction). */
  #state: NonInviteServerState = 'trying';
  /** The last response while Trying / Proceeding. */
  #lastResponse: SipResponse | undefined;
  /**
   * The final response while Completed, as its header text (one flat string) and body: a
   * busy server keeps tens of thousands of these for 64*T1 (Timer J) only to answer
   * retransmissions, which parse it again.
   */
  #finalHead: string | undefined;
  #finalBody: Buffer | undefined;

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
    return this.#state;
  }

  #transition(to: NonInviteServerState): void {
    this.#state = checkedTransition('non-INVITE server transaction', TRANSITIONS, this.#state, to);
  }

  get lastResponse(): SipResponse | undefined {
    if (this.#finalHead === undefined) return this.#lastResponse;
    const head = Buffer.from(this.#finalHead, 'utf8');
    const body = this.#finalBody;
    // Our own serialized response: it parses back to what was sent.
    return parseMessage(
      body === undefined || body.length === 0 ? head : Buffer.concat([head, body]),
    ) as SipResponse;
  }

  respond(response: SipResponse): void {
    if (this.#state !== 'trying' && this.#state !== 'proceeding') {
      throw new SipStackError(
        SipErrorCode.IllegalTransition,
        `non-INVITE server transaction: cannot send ${response.status} in state ${this.#state}`,
      );
    }
    this.#lastResponse = response;
    if (response.status < 200) {
      if (this.#state === 'trying') this.#transition('proceeding');
      this.#send(response);
      return;
    }
    this.#transition('completed');
    if (!this.#send(response)) return;
    this.#request = undefined;
    if (this.t.J === 0) {
      this.#terminate();
      return;
    }
    // Kept for 64*T1 to answer retransmissions: its own text only, flattened (the header
    // values are slices of the request's text and would keep all of it alive).
    this.#finalHead = `${serializeHead(response)} `.slice(0, -1);
    this.#finalBody = response.body;
    this.#lastResponse = undefined;
    this.startTimer('J', this.t.J);
  }

  /** Timer J (started without a closure). */
  override timerFired(name: string): void {
    if (name === 'J') this.#terminate();
  }

  /** A retransmission of the request (§17.2.2). */
  receiveRequest(_request: SipRequest): void {
    if (this.#state !== 'proceeding' && this.#state !== 'completed') return;
    const response = this.lastResponse;
    if (response !== undefined) this.#send(response);
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
