import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** A database handle or an open transaction: repositories work on either. */
export type Executor = Kysely<Database>;

export const toBool = (n: number | boolean): boolean => n === 1 || n === true;
export const fromBool = (b: boolean): number => (b ? 1 : 0);

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback;
  return JSON.parse(text) as T;
}

/** COUNT(*) comes back as a number from SQLite and a bigint string from PostgreSQL. */
export const toCount = (v: unknown): number => Number(v ?? 0);
