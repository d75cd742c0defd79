/**
 * The running half of an RFC 4028 session timer (negotiation is in session-timer.ts).
 * The refresher sends a refresh every half interval (§10; glare, 491, is retried after
 * 2 s); the other side gives up on a session not refreshed by
 * expiry − min(32 s, interval / 3) (§10). `restart` after setup and after every refresh,
 * sent or received.
 *
 *   restart ──> waiting ──half interval (we refresh)──> refresh sent, waiting again
 *                  │  └──expiry margin (peer refreshes)──> expire()
 *                  └── stop() ──> stopped
 */
import type { Clock, TimerHandle } from '../clock/clock.ts';

export interface SessionRefresherActions {
  /** Send a refresh (re-INVITE); resolve with its final status. */
  refresh(): Promise<number>;
  /** Nobody refreshed the session in time: end it. */
  expire(): void;
}

export interface SessionTimerTerms {
  /** Session interval, seconds. */
  interval: number;
  weRefresh: boolean;
  /** Session-Expires / Require fields for our 2xx responses. */
  headers: Array<[string, string]>;
  /** The peer's Allow lists UPDATE: refresh with UPDATE rather than re-INVITE. */
  peerAllowsUpdate?: boolean;
}

export class SessionRefresher {
  readonly terms: SessionTimerTerms;
  readonly #clock: Clock;
  readonly #actions: SessionRefresherActions;
  #handle: TimerHandle | undefined;
  #stopped = false;

  constructor(clock: Clock, terms: SessionTimerTerms, actions: SessionRefresherActions) {
    this.#clock = clock;
    this.terms = terms;
    this.#actions = actions;
  }

  restart(): void {
    if (this.#stopped) return;
    this.#handle?.cancel();
    const s = this.terms.interval;
    this.#handle = this.terms.weRefresh
      ? this.#clock.schedule((s / 2) * 1000, () => this.#refresh())
      : this.#clock.schedule((s - Math.min(32, s / 3)) * 1000, () => this.#actions.expire());
  }

  #refresh(): void {
    if (this.#stopped) return;
    // The next refresh is due half an interval from now whatever this one's fate: 481 and
    // 408 end the session (which stops us); glare is retried shortly.
    this.restart();
    void this.#actions.refresh().then((status) => {
      if (status !== 491 || this.#stopped) return;
      this.#handle?.cancel();
      this.#handle = this.#clock.schedule(2000, () => this.#refresh());
    });
  }

  /** Idempotent. */
  stop(): void {
    this.#stopped = true;
    this.#handle?.cancel();
  }
}
