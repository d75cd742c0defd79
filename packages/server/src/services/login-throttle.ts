import type { Clock } from '../clock.ts';

/**
 * Login throttling: after `maxFailures` failed logins for one account (or `maxPerIp` from
 * one address) within `windowMs`, further attempts are refused until the window has passed.
 * In memory: the embedded single-process mode. The scale-out plan moves it to Redis.
 */
export class LoginThrottle {
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #maxFailures: number;
  readonly #maxPerIp: number;
  readonly #failures = new Map<string, number[]>();

  constructor(
    clock: Clock,
    opts: { windowMs?: number; maxFailures?: number; maxPerIp?: number } = {},
  ) {
    this.#clock = clock;
    this.#windowMs = opts.windowMs ?? 15 * 60_000;
    this.#maxFailures = opts.maxFailures ?? 5;
    this.#maxPerIp = opts.maxPerIp ?? 50;
  }

  /** Seconds until a new attempt is allowed, or 0 when it is allowed now. */
  retryAfter(email: string, ip: string): number {
    const now = this.#clock.now().getTime();
    const wait = (key: string, max: number): number => {
      const times = this.#recent(key, now);
      if (times.length < max) return 0;
      return Math.ceil((times[times.length - max]! + this.#windowMs - now) / 1000);
    };
    return Math.max(wait(`e:${email}`, this.#maxFailures), wait(`i:${ip}`, this.#maxPerIp));
  }

  fail(email: string, ip: string): void {
    const now = this.#clock.now().getTime();
    for (const key of [`e:${email}`, `i:${ip}`]) {
      const times = this.#recent(key, now);
      times.push(now);
      this.#failures.set(key, times);
    }
    if (this.#failures.size > 100_000) this.#prune(now);
  }

  succeed(email: string): void {
    this.#failures.delete(`e:${email}`);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((t) => t > now - this.#windowMs);
  }

  #prune(now: number): void {
    for (const [k, v] of this.#failures) {
      if (!v.some((t) => t > now - this.#windowMs)) this.#failures.delete(k);
    }
  }
}
