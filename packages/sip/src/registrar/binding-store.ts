/**
 * Where a registrar keeps its bindings (RFC 3261 §10.3): address-of-record → contacts,
 * each with its expiry and the Call-ID/CSeq of the REGISTER that last touched it. The
 * in-memory store is the default; the product may put one on its database behind the
 * same interface. Expired bindings are filtered on read, so no timers are needed.
 */
export interface Binding {
  /** Contact URI as registered (§10.3 step 7 compares these with URI equality). */
  contact: string;
  /** Absolute expiry on the registrar's clock (ms). */
  expiresAt: number;
  callId: string;
  cseq: number;
  /** Contact q parameter, 0..1, when given. */
  q?: number;
  /** The Contact header value as sent (display name, params), for responses. */
  raw: string;
}

export interface BindingStore {
  /** Live bindings of an AOR at time `now`. */
  get(aor: string, now: number): Binding[];
  /** Replace the AOR's bindings (an empty list removes the AOR). */
  set(aor: string, bindings: Binding[]): void;
}

export class MemoryBindingStore implements BindingStore {
  readonly #bindings = new Map<string, Binding[]>();

  get(aor: string, now: number): Binding[] {
    const all = this.#bindings.get(aor) ?? [];
    const live = all.filter((b) => b.expiresAt > now);
    if (live.length !== all.length) this.set(aor, live);
    return live;
  }

  set(aor: string, bindings: Binding[]): void {
    if (bindings.length === 0) this.#bindings.delete(aor);
    else this.#bindings.set(aor, bindings);
  }

  get size(): number {
    return this.#bindings.size;
  }
}
