/**
 * Time as an injected dependency: the media clock asks a scheduler for "now" and for one
 * timer at a time. Production uses the event loop; tests use {@link VirtualScheduler}
 * and advance hours of virtual time instantly.
 */
export type TimerHandle = { readonly id: number } | ReturnType<typeof setTimeout>;

export interface TimerScheduler {
  /** Monotonic milliseconds. */
  now(): number;
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
  /**
   * Block the thread for `ms` (< a few ms) with sub-millisecond precision, if supported:
   * lets a clock wake early from its (millisecond-grained) timer and sleep the rest.
   */
  sleepPrecisely?(ms: number): void;
}

/** A futex to sleep on with a timeout (Atomics.wait); nobody ever notifies it. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export const realTimerScheduler: TimerScheduler = {
  now: () => performance.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  // libuv timers have 1 ms resolution; Atomics.wait sleeps on a futex with a high-
  // resolution timeout. Not allowed on the main thread of browsers, fine in Node.
  sleepPrecisely: (ms) => {
    if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
  },
};

interface VirtualTimer {
  readonly id: number;
  at: number;
  callback: () => void;
}

/** Deterministic virtual time for tests: timers fire only inside {@link advance}. */
export class VirtualScheduler implements TimerScheduler {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, VirtualTimer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** Timers currently pending (the media clock keeps at most one). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const timer: VirtualTimer = {
      id: this.nextId++,
      at: this.time + Math.max(0, delayMs),
      callback,
    };
    this.timers.set(timer.id, timer);
    return { id: timer.id };
  }

  clearTimer(handle: TimerHandle): void {
    if (typeof handle === 'object' && handle !== null && 'id' in handle) {
      this.timers.delete(handle.id as number);
    }
  }

  /** Run every timer due within the next `ms`, in time order, then set now = now + ms. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: VirtualTimer | undefined;
      for (const t of this.timers.values()) {
        if (
          t.at <= target &&
          (next === undefined || t.at < next.at || (t.at === next.at && t.id < next.id))
        ) {
          next = t;
        }
      }
      if (next === undefined) break;
      this.timers.delete(next.id);
      this.time = Math.max(this.time, next.at);
      next.callback();
    }
    this.time = target;
  }
}
