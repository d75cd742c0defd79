import { ALAW_DECODE_TABLE, ALAW_ENCODE_TABLE } from './alaw.ts';
import { MULAW_DECODE_TABLE, MULAW_ENCODE_TABLE } from './mulaw.ts';

/** The two G.711 laws, named as in their RTP encodings (RFC 3551 §4.5.14). */
export type G711Law = 'PCMU' | 'PCMA';

/** Static RTP payload types (RFC 3551 Table 4). */
export const G711_PAYLOAD_TYPE = { PCMU: 0, PCMA: 8 } as const satisfies Record<G711Law, number>;

/** The encode/decode tables of one law, so hot loops pick them once per call, not per sample. */
export interface G711Tables {
  readonly encode: Uint8Array;
  readonly decode: Int16Array;
}

const TABLES: Record<G711Law, G711Tables> = {
  PCMU: { encode: MULAW_ENCODE_TABLE, decode: MULAW_DECODE_TABLE },
  PCMA: { encode: ALAW_ENCODE_TABLE, decode: ALAW_DECODE_TABLE },
};

/** The shared tables of a law (no allocation; safe in per-packet code). */
export function g711Tables(law: G711Law): G711Tables {
  return TABLES[law];
}

/** The code for digital silence in each law (encode(0)). */
export const G711_SILENCE = { PCMU: 0xff, PCMA: 0xd5 } as const satisfies Record<G711Law, number>;

/** Direct 256-entry law-to-law tables (decode then encode, precomputed). */
const MULAW_TO_ALAW = new Uint8Array(256);
const ALAW_TO_MULAW = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  MULAW_TO_ALAW[c] = ALAW_ENCODE_TABLE[MULAW_DECODE_TABLE[c]! & 0xffff]!;
  ALAW_TO_MULAW[c] = MULAW_ENCODE_TABLE[ALAW_DECODE_TABLE[c]! & 0xffff]!;
}

/** The 256-entry table mapping `from` codes to `to` codes, or undefined when equal. */
export function g711TranscodeTable(from: G711Law, to: G711Law): Uint8Array | undefined {
  if (from === to) return undefined;
  return from === 'PCMU' ? MULAW_TO_ALAW : ALAW_TO_MULAW;
}

/** Re-encode between laws (e.g. PCMU caller ↔ PCMA carrier), in place or into `out`. */
export function transcodeG711(
  from: G711Law,
  to: G711Law,
  data: Uint8Array,
  out: Uint8Array = data,
  count = data.length,
): void {
  if (from === to) {
    if (out !== data) out.set(data.subarray(0, count));
    return;
  }
  const table = from === 'PCMU' ? MULAW_TO_ALAW : ALAW_TO_MULAW;
  for (let i = 0; i < count; i++) out[i] = table[data[i]!]!;
}
