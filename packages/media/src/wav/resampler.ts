/**
 * Offline sample-rate conversion by windowed-sinc interpolation (band-limited
 * interpolation, J. O. Smith's "Digital Audio Resampling" formulation).
 *
 * y(n) = Σ_k x(k) · fc · sinc(fc·(t − k)) · w((t − k)·fc / Z),   t = n · fin / fout
 *
 * - fc = min(1, fout/fin) · 0.94 — the low-pass cut-off relative to the input Nyquist,
 *   so downsampling (44.1/48 kHz → 8 kHz) filters out everything above ~3.76 kHz before
 *   decimating instead of aliasing it into the voice band;
 * - Z = 16 zero crossings each side, Blackman window w — stop-band ≈ −70 dB, plenty for
 *   8-bit G.711;
 * - the kernel is tabulated once (256 points per zero crossing, linear interpolation).
 *
 * Meant for converting announcement files when they are uploaded, not for per-packet use.
 */

const ZERO_CROSSINGS = 16;
const TABLE_RESOLUTION = 256;
const KERNEL = buildKernel();

function buildKernel(): Float64Array {
  const n = ZERO_CROSSINGS * TABLE_RESOLUTION + 2;
  const table = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = i / TABLE_RESOLUTION; // in zero crossings
    const x = u / ZERO_CROSSINGS; // 0..1 across the window half
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    const w = x >= 1 ? 0 : 0.42 + 0.5 * Math.cos(Math.PI * x) + 0.08 * Math.cos(2 * Math.PI * x);
    table[i] = sinc * w;
  }
  return table;
}

function kernelAt(u: number): number {
  const pos = Math.abs(u) * TABLE_RESOLUTION;
  const i = Math.floor(pos);
  if (i >= KERNEL.length - 1) return 0;
  const frac = pos - i;
  return KERNEL[i]! + (KERNEL[i + 1]! - KERNEL[i]!) * frac;
}

/** Resample a mono float signal. Output length = round(len · toRate / fromRate). */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input.slice();
  const ratio = toRate / fromRate;
  const fc = ratio < 1 ? ratio * 0.94 : 1;
  const halfWidth = ZERO_CROSSINGS / fc; // in input samples
  const outLength = Math.round(input.length * ratio);
  const out = new Float32Array(outLength);
  for (let n = 0; n < outLength; n++) {
    const t = n / ratio;
    const first = Math.max(0, Math.ceil(t - halfWidth));
    const last = Math.min(input.length - 1, Math.floor(t + halfWidth));
    let acc = 0;
    for (let k = first; k <= last; k++) acc += input[k]! * kernelAt((t - k) * fc);
    out[n] = acc * fc;
  }
  return out;
}
