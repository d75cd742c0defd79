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
  /**
   * One re-armable timer for `callback` (optional): a clock that wakes hundreds of times
   * a second re-arms it instead of creating a timer object per wake-up (garbage).
   */
  createTimer?(callback: () => void): ReusableTimer;
}

/** A timer armed again and again for the same callback; at most one wake-up pending. */
export interface ReusableTimer {
  /** Fire once after `delayMs` (replaces a pending wake-up). */
  start(delayMs: number): void;
  /** Cancel the pending wake-up, if any. */
  stop(): void;
}

/** Delays up to this many ms get a cached Timeout each (the clock's are ≤ 20 ms). */
const MAX_CACHED_DELAY_MS = 64;

/**
 * Node timers without a Timeout object per wake-up: one Timeout per whole-ms delay,
 * re-armed with `refresh()` (documented to reactivate a timer that already fired).
 * Node truncates delays to whole ms and runs delays below 1 ms as 1 ms (lib/internal/
 * timers.js `insert`), so keying by the truncated delay changes no timing.
 */
class RefreshedTimeouts implements ReusableTimer {
  private readonly callback: () => void;
  private readonly byDelay: (ReturnType<typeof setTimeout> | undefined)[] = [];
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(callback: () => void) {
    this.callback = callback;
  }

  private readonly fire = (): void => {
    this.pending = undefined;
    this.callback();
  };

  start(delayMs: number): void {
    this.stop();
    const ms = delayMs >= 1 ? Math.trunc(delayMs) : 1;
    if (ms > MAX_CACHED_DELAY_MS) {
      this.pending = setTimeout(this.fire, ms);
      return;
    }
    let timeout = this.byDelay[ms];
    if (timeout === undefined) {
      timeout = setTimeout(this.fire, ms);
      this.byDelay[ms] = timeout;
    } else {
      timeout.refresh();
    }
    this.pending = timeout;
  }

  stop(): void {
    const timeout = this.pending;
    if (timeout === undefined) return;
    this.pending = undefined;
    clearTimeout(timeout);
    // A cleared Timeout cannot be refreshed: forget it.
    const i = this.byDelay.indexOf(timeout);
    if (i >= 0) this.byDelay[i] = undefined;
  }
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
  createTimer: (callback) => new RefreshedTimeouts(callback),
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
