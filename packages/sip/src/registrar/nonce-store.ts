/**
 * Server nonces for Digest (RFC 7616 §3.3, §3.4.5; RFC 3261 §22.4): each nonce has a
 * lifetime, after which credentials built on it get a `stale=true` challenge, and a
 * replay guard: with qop the nonce-count must grow (we accept each nc once, strictly
 * increasing — what SIP UAs send), without qop a nonce is good for one request only.
 * Bounded: the oldest nonces are forgotten first.
 */
import type { Clock } from '../clock/clock.ts';
import type { RandomHex } from '../transaction/identifiers.ts';

export type NonceCheck =
  /** First use of this nc (or of a qop-less nonce): go on. */
  | 'fresh'
  /** Known, but older than the lifetime: challenge again with stale=true. */
  | 'stale'
  /** nc not above the last one accepted, or a qop-less nonce used twice. */
  | 'replayed'
  /** Never issued here (or forgotten). */
  | 'unknown';

interface NonceState {
  issuedAt: number;
  /** Highest nonce-count accepted; 0 before the first use. */
  lastNc: number;
}

export interface NonceStoreOptions {
  clock: Clock;
  random: RandomHex;
  /** Default 300 s. */
  lifetimeMs?: number;
  /** Default 10,000 live nonces. */
  maxNonces?: number;
}

export class NonceStore {
  readonly #clock: Clock;
  readonly #random: RandomHex;
  readonly #lifetime: number;
  readonly #max: number;
  /** Insertion-ordered: the first entries are the oldest. */
  readonly #nonces = new Map<string, NonceState>();

  constructor(options: NonceStoreOptions) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#lifetime = options.lifetimeMs ?? 300_000;
    this.#max = options.maxNonces ?? 10_000;
  }

  get size(): number {
    return this.#nonces.size;
  }

  issue(): string {
    const nonce = this.#random(16);
    this.#nonces.set(nonce, { issuedAt: this.#clock.now(), lastNc: 0 });
    while (this.#nonces.size > this.#max) {
      const oldest = this.#nonces.keys().next().value;
      if (oldest === undefined) break;
      this.#nonces.delete(oldest);
    }
    return nonce;
  }

  /**
   * Check a nonce (and nc, 8 hex digits, when qop was used) from credentials whose digest
   * already verified, and record the use when it is fresh.
   */
  use(nonce: string, nc: string | undefined): NonceCheck {
    const state = this.#nonces.get(nonce);
    if (state === undefined) return 'unknown';
    if (this.#clock.now() - state.issuedAt >= this.#lifetime) {
      this.#nonces.delete(nonce);
      return 'stale';
    }
    if (nc === undefined) {
      if (state.lastNc > 0) return 'replayed';
      state.lastNc = 1;
      return 'fresh';
    }
    if (!/^[0-9a-fA-F]{8}$/.test(nc)) return 'replayed';
    const count = Number.parseInt(nc, 16);
    if (count <= state.lastNc) return 'replayed';
    state.lastNc = count;
    return 'fresh';
  }
}
