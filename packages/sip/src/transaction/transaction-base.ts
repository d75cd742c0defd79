/** Timer bookkeeping, sending and termination shared by the four transaction kinds. */
import type { TimerHandle } from '../clock/clock.ts';
import { SipErrorCode, SipStackError } from '../errors.ts';
import type { SipMessage } from '../message/sip-message.ts';
import { timerValues } from './timer-values.ts';
import type { Channel, TransactionContext } from './transaction-types.ts';

export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M';

export abstract class TransactionBase {
  /** Matching key (see transaction-key.ts). */
  readonly key: string;
  protected readonly channel: Channel;
  protected readonly context: TransactionContext;
  protected readonly t: ReturnType<typeof timerValues>;
  readonly #timers = new Map<TimerName, TimerHandle>();
  readonly #onTerminated: Array<() => void> = [];

  constructor(key: string, channel: Channel, context: TransactionContext) {
    this.key = key;
    this.channel = channel;
    this.context = context;
    this.t = timerValues(context.timers, channel.reliable);
  }

  abstract get state(): string;

  /** Called once when the transaction reaches Terminated (the layer forgets it). */
  onTerminated(listener: () => void): void {
    this.#onTerminated.push(listener);
  }

  protected startTimer(name: TimerName, ms: number, fire: () => void): void {
    this.#timers.get(name)?.cancel();
    this.#timers.set(
      name,
      this.context.clock.schedule(ms, () => {
        this.#timers.delete(name);
        fire();
      }),
    );
  }

  protected stopTimer(name: TimerName): void {
    this.#timers.get(name)?.cancel();
    this.#timers.delete(name);
  }

  /** Names of running timers (for tests and diagnostics). */
  get runningTimers(): TimerName[] {
    return [...this.#timers.keys()].sort();
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
    for (const t of this.#timers.values()) t.cancel();
    this.#timers.clear();
    for (const l of this.#onTerminated.splice(0)) l();
  }
}
