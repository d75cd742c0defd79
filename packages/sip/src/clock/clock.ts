/**
 * Time as an injected dependency: protocol code schedules through a Clock so tests can
 * run hours of SIP timers in milliseconds (see ManualClock).
 */
export interface TimerHandle {
  /** Idempotent. */
  cancel(): void;
}

export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  schedule(delayMs: number, callback: () => void): TimerHandle;
}

/** The real clock; the only place the stack touches setTimeout. */
export const systemClock: Clock = {
  now: () => performance.now(),
  schedule(delayMs, callback) {
    const t = setTimeout(callback, delayMs);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};
