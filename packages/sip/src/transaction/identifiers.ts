/**
 * Fresh identifiers: Via branches with the RFC 3261 magic cookie (§8.1.1.7), tags
 * (§19.3) and Call-IDs (§8.1.1.4). The random source is injectable for reproducible tests.
 */
import { randomFillSync } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from '../headers/via.ts';

export type RandomHex = (bytes: number) => string;

/**
 * Random bytes come from the CSPRNG in 4 KiB batches (one system call per ~200 calls
 * rather than per identifier); every byte is handed out once.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

export const cryptoRandomHex: RandomHex = (bytes) => {
  if (bytes > pool.length) {
    return randomFillSync(Buffer.alloc(bytes)).toString('hex');
  }
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes);
  used += bytes;
  return hex;
};

/** A branch unique across space and time: cookie + 96 random bits. */
export function createBranch(random: RandomHex = cryptoRandomHex): string {
  return `${BRANCH_MAGIC_COOKIE}${random(12)}`;
}

/** A tag with at least 32 random bits (§19.3). */
export function createTag(random: RandomHex = cryptoRandomHex): string {
  return random(6);
}

export function createCallId(host: string, random: RandomHex = cryptoRandomHex): string {
  return `${random(12)}@${host}`;
}
