/**
 * G.711 A-law (ITU-T G.711 §3, Table 1a), table driven.
 *
 * Definition used to build the tables (16-bit linear scale, i.e. the standard's 13-bit
 * range shifted left by 3):
 *   - magnitude m = x for x ≥ 0, and m = −x − 1 (one's complement) for x < 0, so that the
 *     positive and negative decision intervals are symmetric as in G.711 Table 1a;
 *   - segment s = 0 for m < 256, else floor(log2(m)) − 7 (1..7);
 *   - step q = (m >> 4) & 0x0F in segment 0, (m >> (s + 3)) & 0x0F otherwise;
 *   - character = (sign << 7 | s << 4 | q) XOR 0x55, sign = 1 for positive (even bits are
 *     inverted on the line, G.711 §3 note).
 * Decoding takes the middle of the interval: segment 0 → 16q + 8, segment s ≥ 1 →
 * (16q + 264) << (s − 1). Reference points: 0xD5 → +8, 0x55 → −8, 0xAA → +32256,
 * 0x2A → −32256.
 */

function decodeAlawByte(code: number): number {
  const a = (code ^ 0x55) & 0xff;
  const segment = (a >> 4) & 0x07;
  const q = a & 0x0f;
  const magnitude = segment === 0 ? (q << 4) + 8 : ((q << 4) + 264) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

function encodeAlawSample(sample: number): number {
  let sign: number;
  let m: number;
  if (sample >= 0) {
    sign = 0x80;
    m = sample;
  } else {
    sign = 0;
    m = -sample - 1;
  }
  let code: number;
  if (m < 256) {
    code = m >> 4;
  } else {
    const segment = 31 - Math.clz32(m) - 7;
    code = (segment << 4) | ((m >> (segment + 3)) & 0x0f);
  }
  return (sign | code) ^ 0x55;
}

/** A-law byte → 16-bit linear sample. */
export const ALAW_DECODE_TABLE: Int16Array = new Int16Array(256);
/** (16-bit sample & 0xFFFF) → A-law byte. */
export const ALAW_ENCODE_TABLE: Uint8Array = new Uint8Array(65536);

for (let c = 0; c < 256; c++) ALAW_DECODE_TABLE[c] = decodeAlawByte(c);
for (let i = 0; i < 65536; i++) ALAW_ENCODE_TABLE[i] = encodeAlawSample((i << 16) >> 16);

export function alawEncode(sample: number): number {
  return ALAW_ENCODE_TABLE[sample & 0xffff]!;
}

export function alawDecode(code: number): number {
  return ALAW_DECODE_TABLE[code & 0xff]!;
}

export function alawEncodeBuffer(
  pcm: Int16Array,
  out: Uint8Array,
  count = pcm.length,
  pcmOffset = 0,
  outOffset = 0,
): void {
  for (let i = 0; i < count; i++) {
    out[outOffset + i] = ALAW_ENCODE_TABLE[pcm[pcmOffset + i]! & 0xffff]!;
  }
}

export function alawDecodeBuffer(
  data: Uint8Array,
  out: Int16Array,
  count = data.length,
  dataOffset = 0,
  outOffset = 0,
): void {
  for (let i = 0; i < count; i++) {
    out[outOffset + i] = ALAW_DECODE_TABLE[data[dataOffset + i]!]!;
  }
}
