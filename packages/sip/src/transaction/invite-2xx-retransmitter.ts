/**
 * UAS core retransmission of a 2xx to INVITE (RFC 3261 §13.3.1.4; with RFC 6026 the
 * INVITE server transaction sits in Accepted and leaves this to the TU). The 2xx is resent
 * at T1, doubling up to T2, until the ACK arrives — over every transport, since the hops
 * beyond a proxy may be UDP. Without an ACK after 64*T1 the session must be ended (BYE).
 *
 *   start: 2xx already sent
 *        |
 *        V            Timer: resend 2xx,
 *   +---------+       interval = min(2x, T2)
 *   | waiting |<---------+
 *   +---------+----------+
 *     |   |  \  64*T1 elapsed: onAckTimeout
 *     |   |   +-------------------> +-----------+
 *     |   | stop()                  | timed-out |
 *     |   +---------> +---------+   +-----------+
 *     | ACK           | stopped |
 *     V               +---------+
 *   +-------+
 *   | acked |
 *   +-------+
 */
import type { SipStackError } from '../errors.ts';
import { checkedTransition, type TransitionTable } from './state-machine.ts';
import {
  type QueuedTimer,
  type TimerQueues,
  type TimerTarget,
  timerQueuesOf,
} from './timer-queues.ts';
import type { TransactionContext } from './transaction-types.ts';

export type RetransmitterState = 'waiting' | 'acked' | 'timed-out' | 'stopped';

const TRANSITIONS: TransitionTable<RetransmitterState> = {
  waiting: ['acked', 'timed-out', 'stopped'],
  acked: [],
  'timed-out': [],
  stopped: [],
};

export interface Invite2xxRetransmitterEvents {
  /** Resend the 2xx (e.g. `serverTransaction.respond(response)`); throw on transport failure. */
  resend(): void;
  /** No ACK within 64*T1: the TU should send BYE (§13.3.1.4). */
  onAckTimeout(): void;
  onTransportError?(error: SipStackError | Error): void;
}

/**
 * Both timers run on the clock's shared timer queues (timer-queues.ts) with this object as
 * their target: no clock timer, handle or closure per call.
 */
export class Invite2xxRetransmitter implements TimerTarget {
  readonly #context: TransactionContext;
  readonly #events: Invite2xxRetransmitterEvents;
  readonly #queues: TimerQueues;
  #state: RetransmitterState = 'waiting';
  /** The resend timer's current interval: T1, doubling up to T2. */
  #interval: number;
  #timer: QueuedTimer | undefined;
  #deadline: QueuedTimer | undefined;

  /** Call right after the first 2xx was sent. */
  constructor(context: TransactionContext, events: Invite2xxRetransmitterEvents) {
    this.#context = context;
    this.#events = events;
    this.#queues = timerQueuesOf(context.clock);
    this.#interval = context.timers.t1;
    this.#timer = this.#queues.start('resend', this.#interval, this);
    this.#deadline = this.#queues.start('deadline', 64 * context.timers.t1, this);
  }

  get state(): RetransmitterState {
    return this.#state;
  }

  /** The resend timer or the 64*T1 deadline fired (called by the timer queues). */
  timerFired(name: string): void {
    if (this.#state !== 'waiting') return;
    if (name === 'deadline') {
      this.#deadline = undefined;
      this.#end('timed-out');
      this.#events.onAckTimeout();
      return;
    }
    this.#timer = undefined;
    try {
      this.#events.resend();
    } catch (err) {
      this.#end('stopped');
      this.#events.onTransportError?.(err as Error);
      return;
    }
    this.#interval = Math.min(2 * this.#interval, this.#context.timers.t2);
    this.#timer = this.#queues.start('resend', this.#interval, this);
  }

  /** The ACK for this 2xx arrived (§13.3.1.4). Idempotent. */
  ackReceived(): void {
    if (this.#state === 'waiting') this.#end('acked');
  }

  /** Give up without an ACK (e.g. the dialog was torn down). Idempotent. */
  stop(): void {
    if (this.#state === 'waiting') this.#end('stopped');
  }

  #end(state: Exclude<RetransmitterState, 'waiting'>): void {
    this.#state = checkedTransition('2xx retransmitter', TRANSITIONS, this.#state, state);
    if (this.#timer !== undefined) this.#queues.cancel(this.#timer);
    if (this.#deadline !== undefined) this.#queues.cancel(this.#deadline);
    this.#timer = undefined;
    this.#deadline = undefined;
  }
}
