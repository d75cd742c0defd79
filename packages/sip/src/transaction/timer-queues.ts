/**
 * Transaction timers (RFC 3261 §17, Table 4) on one clock timer per distinct delay.
 *
 * A busy server holds tens of thousands of transactions that only wait out Timer J or L
 * (64*T1 = 32 s). Timers of one delay expire in the order they were started, so each
 * delay keeps a FIFO queue and only its head is on the clock: starting a timer appends to
 * an array, cancelling one clears it in place, and no clock handle or closure is kept per
 * timer. When the head fires, every due entry of that queue fires in start order and the
 * clock is armed again for the next live entry.
 */
import type { Clock, TimerHandle } from '../clock/clock.ts';

/**
 * An owner that handles its timers in one method instead of a closure per timer (a
 * transaction waiting out Timer J or L for 64*T1 then holds no closure and no captured
 * scope for it).
 */
export interface TimerTarget {
  timerFired(name: string): void;
}

/** One started timer; `fire` is cleared when it is cancelled or has fired. */
export interface QueuedTimer {
  readonly at: number;
  readonly delay: number;
  /** The owner's name for it (e.g. "J"); a TimerTarget gets it back. */
  readonly name: string;
  fire: (() => void) | TimerTarget | undefined;
}

class DelayQueue {
  readonly #clock: Clock;
  readonly #delay: number;
  readonly #owner: TimerQueues;
  #entries: QueuedTimer[] = [];
  #head = 0;
  #live = 0;
  #armed: TimerHandle | undefined;
  /** True while due entries fire (a timer started meanwhile must not re-arm the clock). */
  #running = false;

  constructor(clock: Clock, delay: number, owner: TimerQueues) {
    this.#clock = clock;
    this.#delay = delay;
    this.#owner = owner;
  }

  add(name: string, fire: (() => void) | TimerTarget): QueuedTimer {
    const delay = this.#delay;
    const entry: QueuedTimer = { at: this.#clock.now() + delay, delay, name, fire };
    this.#entries.push(entry);
    this.#live++;
    if (this.#armed === undefined && !this.#running) this.#arm(entry.at);
    return entry;
  }

  cancel(entry: QueuedTimer): void {
    if (entry.fire === undefined) return;
    entry.fire = undefined;
    if (--this.#live === 0) this.#reset();
  }

  /** Nothing left: drop the clock timer and the cancelled entries. */
  #reset(): void {
    this.#armed?.cancel();
    this.#armed = undefined;
    this.#entries = [];
    this.#head = 0;
    this.#owner.forget(this.#delay);
  }

  #arm(at: number): void {
    this.#armed = this.#clock.schedule(Math.max(0, at - this.#clock.now()), () => this.#due());
  }

  #due(): void {
    this.#armed = undefined;
    const now = this.#clock.now();
    const entries = this.#entries;
    this.#running = true;
    try {
      while (this.#head < entries.length) {
        const entry = entries[this.#head]!;
        if (entry.fire !== undefined && entry.at > now) break;
        this.#head++;
        const fire = entry.fire;
        if (fire === undefined) continue;
        entry.fire = undefined;
        this.#live--;
        if (typeof fire === 'function') fire();
        else fire.timerFired(entry.name);
        // A callback may have emptied and reset this queue.
        if (this.#entries !== entries) return;
      }
    } finally {
      this.#running = false;
    }
    if (this.#live === 0) {
      this.#reset();
      return;
    }
    // Compact once the fired prefix dominates, so the array does not grow forever.
    if (this.#head > 1024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
    const next = this.#entries[this.#head];
    if (next !== undefined && this.#armed === undefined) this.#arm(next.at);
  }
}

/** The queues of one clock, by delay in milliseconds. */
export class TimerQueues {
  readonly #clock: Clock;
  readonly #byDelay = new Map<number, DelayQueue>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  start(name: string, delayMs: number, fire: (() => void) | TimerTarget): QueuedTimer {
    const delay = Math.max(0, delayMs);
    let queue = this.#byDelay.get(delay);
    if (queue === undefined) {
      queue = new DelayQueue(this.#clock, delay, this);
      this.#byDelay.set(delay, queue);
    }
    return queue.add(name, fire);
  }

  cancel(entry: QueuedTimer): void {
    if (entry.fire !== undefined) this.#byDelay.get(entry.delay)?.cancel(entry);
  }

  /** Called by an emptied queue. */
  forget(delay: number): void {
    this.#byDelay.delete(delay);
  }
}

const byClock = new WeakMap<Clock, TimerQueues>();

/** The shared timer queues of a clock. */
export function timerQueuesOf(clock: Clock): TimerQueues {
  let queues = byClock.get(clock);
  if (queues === undefined) {
    queues = new TimerQueues(clock);
    byClock.set(clock, queues);
  }
  return queues;
}
