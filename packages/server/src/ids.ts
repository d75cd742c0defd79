import { randomBytes } from 'node:crypto';

let lastMs = -1;
let lastRand = 0n;
const randBits = 74n;
const randMask = (1n << randBits) - 1n;

/**
 * UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then 74 random bits. Monotonic within
 * this process (RFC 9562 §6.2, method 2): ids made in the same millisecond increment the
 * random part, so `ORDER BY id` follows creation order exactly (the audit log relies on it)
 * and B-tree inserts stay at the right edge.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  let ms = nowMs;
  let rand: bigint;
  if (ms > lastMs) {
    rand = BigInt(`0x${randomBytes(10).toString('hex')}`) & randMask;
    // Leave headroom so a burst within one millisecond does not overflow.
    rand &= ~(1n << (randBits - 1n));
  } else {
    ms = lastMs;
    rand = (lastRand + 1n) & randMask;
  }
  lastMs = ms;
  lastRand = rand;
  const randA = Number(rand >> 62n); // 12 bits
  const randB = rand & ((1n << 62n) - 1n); // 62 bits
  const hi = ms.toString(16).padStart(12, '0');
  const a = (0x7000 | randA).toString(16).padStart(4, '0');
  const b = ((2n << 62n) | randB).toString(16).padStart(16, '0');
  return `${hi.slice(0, 8)}-${hi.slice(8)}-${a}-${b.slice(0, 4)}-${b.slice(4)}`;
}

/** A random URL-safe secret of `bytes` bytes. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
