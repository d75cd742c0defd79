/** Locates the shared RFC 4475 vectors (read in place, never copied into the project). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** UKETSUKE_RFC4475_DIR overrides the location (e.g. to check that suites skip without it). */
export const RFC4475_DIR =
  process.env.UKETSUKE_RFC4475_DIR ??
  resolve(import.meta.dirname, '../../../../../shared/testdata/rfc4475');

/** Reason to skip, or undefined when the vectors are present. */
export const RFC4475_SKIP: string | undefined = existsSync(RFC4475_DIR)
  ? undefined
  : `RFC 4475 vectors not found at ${RFC4475_DIR}`;

export function rfc4475Files(): string[] {
  return readdirSync(RFC4475_DIR)
    .filter((f) => f.endsWith('.dat'))
    .sort();
}

export function readVector(name: string): Buffer {
  return readFileSync(resolve(RFC4475_DIR, `${name}.dat`));
}
