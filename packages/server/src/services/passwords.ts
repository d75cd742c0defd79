/**
 * Argon2id password hashes (RFC 9106) with OWASP's recommended minimum parameters
 * (19 MiB memory, 2 passes, 1 lane). The PHC string records the parameters, so they can be
 * raised later without invalidating stored hashes.
 */
import { hash, verify } from '@node-rs/argon2';
import { AppError } from '../errors.ts';

const params = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;
export const minPasswordLength = 8;

export function checkPasswordStrength(password: string): void {
  if ([...password].length < minPasswordLength) {
    throw new AppError('validation.password_weak', `use at least ${minPasswordLength} characters`);
  }
}

export function hashPassword(password: string): Promise<string> {
  // @node-rs/argon2 defaults to Argon2id; the prefix of the result says so ($argon2id$).
  return hash(password, params);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A fixed hash to verify against when the user does not exist, so timing does not tell. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('decoy-password-never-matches');
  return decoy;
}
