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
import { StateMachine, type TransitionTable } from './state-machine.ts';
import type { TransactionContext } from './transaction-types.ts';
import type { TimerHandle } from '../clock/clock.ts';

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

export class Invite2xxRetransmitter {
  readonly #context: TransactionContext;
  readonly #events: Invite2xxRetransmitterEvents;
  readonly #fsm = new StateMachine<RetransmitterState>('2xx retransmitter', 'waiting', TRANSITIONS);
  #timer: TimerHandle | undefined;
  #deadline: TimerHandle | undefined;

  /** Call right after the first 2xx was sent. */
  constructor(context: TransactionContext, events: Invite2xxRetransmitterEvents) {
    this.#context = context;
    this.#events = events;
    this.#arm(context.timers.t1);
    this.#deadline = context.clock.schedule(64 * context.timers.t1, () => {
      if (!this.#fsm.is('waiting')) return;
      this.#end('timed-out');
      this.#events.onAckTimeout();
    });
  }

  get state(): RetransmitterState {
    return this.#fsm.state;
  }

  #arm(interval: number): void {
    this.#timer = this.#context.clock.schedule(interval, () => {
      if (!this.#fsm.is('waiting')) return;
      try {
        this.#events.resend();
      } catch (err) {
        this.#end('stopped');
        this.#events.onTransportError?.(err as Error);
        return;
      }
      this.#arm(Math.min(2 * interval, this.#context.timers.t2));
    });
  }

  /** The ACK for this 2xx arrived (§13.3.1.4). Idempotent. */
  ackReceived(): void {
    if (this.#fsm.is('waiting')) this.#end('acked');
  }

  /** Give up without an ACK (e.g. the dialog was torn down). Idempotent. */
  stop(): void {
    if (this.#fsm.is('waiting')) this.#end('stopped');
  }

  #end(state: Exclude<RetransmitterState, 'waiting'>): void {
    this.#fsm.transition(state);
    this.#timer?.cancel();
    this.#deadline?.cancel();
  }
}
