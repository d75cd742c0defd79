import type { TSchema } from 'typebox';
import { Problem } from './schemas.ts';

/** A route's response schemas: the success body plus problem+json for every error. */
export function responses(ok: Record<number, TSchema>): Record<string, TSchema> {
  return { ...ok, '4xx': Problem, '5xx': Problem };
}

export const noContent = { 204: { type: 'null' } as unknown as TSchema };
