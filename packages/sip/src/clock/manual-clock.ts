/**
 * A virtual clock for tests: time only moves when `advance` is called, and due timers run
 * in deadline order (ties in scheduling order).
 */
import type { Clock, TimerHandle } from './clock.ts';

interface Entry {
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #queue: Entry[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    const entry: Entry = {
      at: this.#now + Math.max(0, delayMs),
      seq: this.#seq++,
      callback,
      cancelled: false,
    };
    // Keep the queue sorted by (at, seq); timers are few, so a linear insert is enough.
    let i = this.#queue.length;
    while (i > 0 && this.#queue[i - 1]!.at > entry.at) i--;
    this.#queue.splice(i, 0, entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Number of live timers. */
  get pending(): number {
    return this.#queue.filter((e) => !e.cancelled).length;
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#queue[0];
      if (next === undefined || next.at > target) break;
      this.#queue.shift();
      if (next.cancelled) continue;
      this.#now = next.at;
      next.callback();
    }
    this.#now = target;
  }

  /** Fire timers until none is left (bounded, to catch runaway rescheduling). */
  runAll(maxTimers = 100_000): void {
    for (let n = 0; n < maxTimers; n++) {
      const next = this.#queue.find((e) => !e.cancelled);
      if (next === undefined) return;
      this.advance(next.at - this.#now);
    }
    throw new Error('ManualClock.runAll: timers keep rescheduling');
  }
}
