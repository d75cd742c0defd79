/** Timer bookkeeping, sending and termination shared by the four transaction kinds. */
import { SipErrorCode, SipStackError } from '../errors.ts';
import type { SipMessage } from '../message/sip-message.ts';
import { type QueuedTimer, type TimerQueues, timerQueuesOf } from './timer-queues.ts';
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

export abstract class TransactionBase {
  /** Matching key (see transaction-key.ts). */
  readonly key: string;
  protected readonly channel: Channel;
  protected readonly context: TransactionContext;
  protected readonly t: TimerValues;
  readonly #queues: TimerQueues;
  /** Started timers (at most a few); fired and cancelled ones are pruned on the next start. */
  #timers: QueuedTimer[] = [];
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

  protected startTimer(name: TimerName, ms: number, fire: () => void): void {
    // Drop this name's earlier timer and every timer that fired or was cancelled. The list
    // is rebuilt as a literal (allocated at its size: most transactions keep one timer for
    // 64*T1, and a push onto [] would reserve 17 slots).
    let kept: QueuedTimer | undefined;
    let more: QueuedTimer[] | undefined;
    for (const t of this.#timers) {
      if (t.name === name) this.#queues.cancel(t);
      if (t.fire === undefined) continue;
      if (kept === undefined) kept = t;
      else if (more === undefined) more = [t];
      else more.push(t);
    }
    const entry = this.#queues.start(name, ms, fire);
    if (kept === undefined) this.#timers = [entry];
    else if (more === undefined) this.#timers = [kept, entry];
    else this.#timers = [kept, ...more, entry];
  }

  protected stopTimer(name: TimerName): void {
    for (const t of this.#timers) if (t.name === name) this.#queues.cancel(t);
  }

  /** Names of running timers (for tests and diagnostics). */
  get runningTimers(): TimerName[] {
    return this.#timers
      .filter((t) => t.fire !== undefined)
      .map((t) => t.name as TimerName)
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
    for (const t of this.#timers) this.#queues.cancel(t);
    this.#timers = [];
    this.#registry?.delete(this.key);
    this.#registry = undefined;
    const listeners = this.#onTerminated;
    this.#onTerminated = undefined;
    if (listeners !== undefined) for (const l of listeners) l();
  }
}
