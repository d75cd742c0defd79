/**
 * Timer values of RFC 3261 §17 and Table 4, with the RFC 6026 additions (L, M).
 * T1 = RTT estimate, T2 = maximum non-INVITE retransmit interval, T4 = maximum time a
 * message stays in the network.
 */
export interface TimerConfig {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
}

export const DEFAULT_TIMERS: TimerConfig = { t1: 500, t2: 4000, t4: 5000 };

export function timerValues(c: TimerConfig, reliable: boolean) {
  return {
    /** INVITE request retransmit, doubling from T1 (unreliable only). */
    A: c.t1,
    /** INVITE transaction timeout. */
    B: 64 * c.t1,
    /** Wait for response retransmits: ≥ 32 s on UDP, 0 on reliable transports. */
    D: reliable ? 0 : Math.max(32_000, 64 * c.t1),
    /** Non-INVITE request retransmit, doubling from T1 up to T2 (unreliable only). */
    E: c.t1,
    /** Non-INVITE transaction timeout. */
    F: 64 * c.t1,
    /** INVITE final response retransmit, doubling from T1 up to T2 (unreliable only). */
    G: c.t1,
    /** Wait for ACK receipt. */
    H: 64 * c.t1,
    /** Wait for ACK retransmits. */
    I: reliable ? 0 : c.t4,
    /** Wait for non-INVITE request retransmits. */
    J: reliable ? 0 : 64 * c.t1,
    /** Wait for non-INVITE response retransmits. */
    K: reliable ? 0 : c.t4,
    /** RFC 6026: INVITE server waits in Accepted for 2xx retransmits / ACKs. */
    L: 64 * c.t1,
    /** RFC 6026: INVITE client waits in Accepted for 2xx retransmits. */
    M: 64 * c.t1,
  } as const;
}
