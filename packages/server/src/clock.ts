/** Injected time: services never call Date.now() directly, so tests can fix the clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that starts at `start` and then advances in real time (a testing aid behind
 * UKETSUKE_CLOCK_START: after-hours branches, holidays, callback windows on a fixed date).
 */
export function clockStartingAt(start: Date, real: () => number = Date.now): Clock {
  const offset = start.getTime() - real();
  return { now: () => new Date(real() + offset) };
}

/** A clock for tests: starts at `start` and moves only when told. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start: Date | string = '2026-11-21T00:00:00Z') {
    this.#t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#t);
  }
  advance(ms: number): void {
    this.#t += ms;
  }
  set(at: Date | string): void {
    this.#t = new Date(at).getTime();
  }
}
