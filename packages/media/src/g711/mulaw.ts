/**
 * G.711 µ-law (ITU-T G.711 §2, Table 2a), table driven.
 *
 * Decoding is one lookup in a 256-entry Int16 table. Encoding is one lookup in a 64 Ki
 * table indexed by the 16-bit two's-complement sample, built once at module load from the
 * segment definition below. Both tables are shared by every call in the process.
 *
 * Definition used to build the tables (16-bit linear scale, i.e. the standard's 14-bit
 * range shifted left by 2):
 *   - magnitude m = x for x ≥ 0 and m = −x − 1 (one's complement) for x < 0, as in the
 *     ITU-T G.191 reference encoder, so the quantiser is symmetric about −½ and −1…−4
 *     encode as "negative zero"; clipped to 32635, then biased: m' = m + 132 (0x84);
 *   - segment (exponent) e = floor(log2(m')) - 7, in 0..7;
 *   - step (mantissa) q = (m' >> (e + 3)) & 0x0F;
 *   - code = NOT(sign << 7 | e << 4 | q), sign = 1 for negative (the bit inversion is
 *     part of G.711's µ-law character definition).
 * Decoding inverts that: x = ((q << 3) + 132) << e, minus the bias, with the sign applied.
 * Reference points: 0xFF → 0, 0x7F → 0 ("negative zero"), 0x00 → −32124, 0x80 → +32124.
 */

const BIAS = 0x84;
const CLIP = 32635;

function decodeMulawByte(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

function encodeMulawSample(sample: number): number {
  let sign = 0;
  let m = sample;
  if (m < 0) {
    sign = 0x80;
    m = -m - 1;
  }
  if (m > CLIP) m = CLIP;
  m += BIAS;
  // floor(log2(m)) for m in [132, 32767] → 7..14
  const exponent = 31 - Math.clz32(m) - 7;
  const mantissa = (m >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** µ-law byte → 16-bit linear sample. */
export const MULAW_DECODE_TABLE: Int16Array = new Int16Array(256);
/** (16-bit sample & 0xFFFF) → µ-law byte. */
export const MULAW_ENCODE_TABLE: Uint8Array = new Uint8Array(65536);

for (let c = 0; c < 256; c++) MULAW_DECODE_TABLE[c] = decodeMulawByte(c);
for (let i = 0; i < 65536; i++) MULAW_ENCODE_TABLE[i] = encodeMulawSample((i << 16) >> 16);

/** Encode one 16-bit linear sample (values outside int16 are wrapped, so clamp first). */
export function mulawEncode(sample: number): number {
  return MULAW_ENCODE_TABLE[sample & 0xffff]!;
}

export function mulawDecode(code: number): number {
  return MULAW_DECODE_TABLE[code & 0xff]!;
}

/**
 * Encode `count` samples of `pcm` (from `pcmOffset`) into `out` (from `outOffset`).
 * No allocation: both buffers are the caller's.
 */
export function mulawEncodeBuffer(
  pcm: Int16Array,
  out: Uint8Array,
  count = pcm.length,
  pcmOffset = 0,
  outOffset = 0,
): void {
  for (let i = 0; i < count; i++) {
    out[outOffset + i] = MULAW_ENCODE_TABLE[pcm[pcmOffset + i]! & 0xffff]!;
  }
}

/** Decode `count` µ-law bytes of `data` (from `dataOffset`) into `out` (from `outOffset`). */
export function mulawDecodeBuffer(
  data: Uint8Array,
  out: Int16Array,
  count = data.length,
  dataOffset = 0,
  outOffset = 0,
): void {
  for (let i = 0; i < count; i++) {
    out[outOffset + i] = MULAW_DECODE_TABLE[data[dataOffset + i]!]!;
  }
}
