/** Timer bookkeeping, sending and termination shared by the four transaction kinds. */
import { SipErrorCode, SipStackError } from '../errors.ts';
import type { SipMessage } from '../message/sip-message.ts';
import {
  type QueuedTimer,
  type TimerQueues,
  type TimerTarget,
  timerQueuesOf,
} from './timer-queues.ts';
import { type TimerConfig, timerValues } from './timer-values.ts';
import type { Channel, TransactionContext } from './transaction-types.ts';

export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M';

type TimerValues = ReturnType<typeof timerValues>;

/** Timer values per configuration, unreliable and reliable (one object, not one per transaction). */
const valuesByConfig = new WeakMap<TimerConfig, readonly [TimerValues, TimerValues]>();

function cachedTimerValues(config: TimerConfig, reliable: boolean): TimerValues {
  let pair = valuesByConfig.get(config);
  if (pair === undefined) {
    pair = [timerValues(config, false), timerValues(config, true)];
    valuesByConfig.set(config, pair);
  }
  return pair[reliable ? 1 : 0];
}

export abstract class TransactionBase implements TimerTarget {
  /** Matching key (see transaction-key.ts). */
  readonly key: string;
  protected readonly channel: Channel;
  protected readonly context: TransactionContext;
  protected readonly t: TimerValues;
  readonly #queues: TimerQueues;
  /**
   * Started timers (at most two run at once: A+B, E+F, G+H); fired and cancelled ones are
   * dropped on the next start. Two fields rather than an array per transaction.
   */
  #timer0: QueuedTimer | undefined;
  #timer1: QueuedTimer | undefined;
  /** Any further timers (no transaction kind needs them today). */
  #more: QueuedTimer[] | undefined;
  #onTerminated: Array<() => void> | undefined;
  /** The transaction layer's table this transaction is filed in under `key`. */
  #registry: Map<string, TransactionBase> | undefined;

  constructor(key: string, channel: Channel, context: TransactionContext) {
    this.key = key;
    this.channel = channel;
    this.context = context;
    this.t = cachedTimerValues(context.timers, channel.reliable);
    this.#queues = timerQueuesOf(context.clock);
  }

  abstract get state(): string;

  /**
   * File the transaction in a table under its key; it removes itself on termination (no
   * listener closure per transaction).
   */
  fileIn(registry: Map<string, TransactionBase>): void {
    registry.set(this.key, this);
    this.#registry = registry;
  }

  /** Called once when the transaction reaches Terminated (the layer forgets it). */
  onTerminated(listener: () => void): void {
    // Array literals are allocated at their size; a push onto [] reserves 17 slots.
    if (this.#onTerminated === undefined) this.#onTerminated = [listener];
    else this.#onTerminated.push(listener);
  }

  /**
   * Start (or restart) timer `name`. Without `fire` the timer calls `timerFired(name)`:
   * no closure is kept for it.
   */
  protected startTimer(name: TimerName, ms: number, fire?: () => void): void {
    this.stopTimer(name);
    const entry = this.#queues.start(name, ms, fire ?? this);
    if (this.#timer0 === undefined || this.#timer0.fire === undefined) this.#timer0 = entry;
    else if (this.#timer1 === undefined || this.#timer1.fire === undefined) this.#timer1 = entry;
    else {
      const live = (this.#more ?? []).filter((t) => t.fire !== undefined);
      live.push(entry);
      this.#more = live;
    }
  }

  protected stopTimer(name: TimerName): void {
    const t0 = this.#timer0;
    if (t0 !== undefined && t0.name === name) {
      this.#cancel(t0);
      this.#timer0 = undefined;
    }
    const t1 = this.#timer1;
    if (t1 !== undefined && t1.name === name) {
      this.#cancel(t1);
      this.#timer1 = undefined;
    }
    if (this.#more !== undefined) {
      for (const t of this.#more) if (t.name === name) this.#cancel(t);
    }
  }

  #cancel(timer: QueuedTimer): void {
    if (timer.fire !== undefined) this.#queues.cancel(timer);
  }

  /** A timer started without a callback fired; the transaction kinds that use them override. */
  timerFired(_name: string): void {}

  /** Names of running timers (for tests and diagnostics). */
  get runningTimers(): TimerName[] {
    return [this.#timer0, this.#timer1, ...(this.#more ?? [])]
      .filter((t) => t !== undefined && t.fire !== undefined)
      .map((t) => t!.name as TimerName)
      .sort();
  }

  /** Send through the channel; a throw becomes a typed transport error. */
  protected transmit(message: SipMessage): SipStackError | undefined {
    try {
      this.channel.send(message);
      return undefined;
    } catch (err) {
      return new SipStackError(SipErrorCode.TransportError, 'transport failed to send', {
        cause: err,
      });
    }
  }

  /** Cancel every timer and notify listeners; subclasses move their state first. */
  protected finish(): void {
    if (this.#timer0 !== undefined) this.#cancel(this.#timer0);
    if (this.#timer1 !== undefined) this.#cancel(this.#timer1);
    if (this.#more !== undefined) for (const t of this.#more) this.#cancel(t);
    this.#timer0 = undefined;
    this.#timer1 = undefined;
    this.#more = undefined;
    this.#registry?.delete(this.key);
    this.#registry = undefined;
    const listeners = this.#onTerminated;
    this.#onTerminated = undefined;
    if (listeners !== undefined) for (const l of listeners) l();
  }
}
