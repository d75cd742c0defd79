/**
 * A simplified ITU-T G.107 E-model, for an at-a-glance call quality figure (MOS-CQE).
 * Not a conformance implementation: it keeps the terms that move for a G.711 call on a
 * packet network and uses G.107 defaults for everything else.
 *
 *   R = R0 − Is − Id − Ie,eff + A          (G.107 §3)
 *   R0 − Is = 93.2                          (G.107 default parameter values, Table 3)
 *   A = 0                                   (advantage factor; wired access)
 *   Id ≈ 0.024·d + 0.11·(d − 177.3)·H(d − 177.3)
 *        the well-known linear fit to G.107's Idd/Idte/Idle for default echo parameters
 *        (Cole & Rosenbluth, "Voice over IP performance monitoring", 2001); d = one-way
 *        mouth-to-ear delay in ms, H = unit step.
 *   Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl)     (G.107 eq. 7-29)
 *        Ppl = packet loss in percent; BurstR = 1 (random loss);
 *        G.711: Ie = 0, Bpl = 4.3 without PLC, 25.1 with PLC (G.113 Appendix I).
 *   MOS = 1                                   for R ≤ 0
 *       = 1 + 0.035R + 7·10⁻⁶·R(R − 60)(100 − R)  for 0 < R < 100   (G.107 Annex B)
 *       = 4.5                                 for R ≥ 100
 *
 * With no loss and low delay this gives R = 93.2 → MOS ≈ 4.41, the usual G.711 ceiling.
 */

export interface EModelInput {
  /** One-way mouth-to-ear delay in ms (network + jitter buffer + packetization). */
  oneWayDelayMs: number;
  /** Packet loss in percent, 0..100. */
  packetLossPercent: number;
  /** Equipment impairment of the codec (G.113): 0 for G.711. */
  ie?: number;
  /** Packet-loss robustness (G.113): 4.3 for G.711 without PLC, 25.1 with PLC. */
  bpl?: number;
  /** Burst ratio, 1 for random loss. */
  burstR?: number;
}

export const G711_IE = 0;
export const G711_BPL_NO_PLC = 4.3;
export const G711_BPL_PLC = 25.1;

/** The transmission rating factor R. */
export function eModelRFactor(input: EModelInput): number {
  const d = Math.max(0, input.oneWayDelayMs);
  const id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
  const ie = input.ie ?? G711_IE;
  const bpl = input.bpl ?? G711_BPL_NO_PLC;
  const burstR = input.burstR ?? 1;
  const ppl = Math.min(100, Math.max(0, input.packetLossPercent));
  const ieEff = ie + ((95 - ie) * ppl) / (ppl / burstR + bpl);
  return 93.2 - id - ieEff;
}

/** R → MOS (G.107 Annex B), clamped to [1, 4.5]. */
export function mosFromRFactor(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
}

export function estimateMos(input: EModelInput): number {
  return mosFromRFactor(eModelRFactor(input));
}
