/**
 * A client company's contract lifecycle (PRODUCT.md "Onboarding").
 *
 *   applied ──► screening ──► contracted ──► testing ──► live ◄──► suspended
 *      │            │              │            │          │           │
 *      └────────────┴──────────────┴────────────┴──────────┴───────────┴──► cancelled
 *
 * `cancelled` is final: the tenant's numbers go to quarantine and nothing more can change.
 */
import { AppError } from '../errors.ts';

export const tenantStates = [
  'applied',
  'screening',
  'contracted',
  'testing',
  'live',
  'suspended',
  'cancelled',
] as const;
export type TenantState = (typeof tenantStates)[number];

const next: Record<TenantState, readonly TenantState[]> = {
  applied: ['screening', 'cancelled'],
  screening: ['contracted', 'cancelled'],
  contracted: ['testing', 'cancelled'],
  testing: ['live', 'contracted', 'cancelled'],
  live: ['suspended', 'cancelled'],
  suspended: ['live', 'cancelled'],
  cancelled: [],
};

/** The one guarded transition: returns the new state or throws. */
export function transitionTenant(from: TenantState, to: TenantState): TenantState {
  if (!next[from].includes(to)) {
    const allowed = next[from].length ? next[from].join(', ') : 'nothing (final)';
    throw new AppError(
      'tenant.transition_invalid',
      `${from} → ${to} is not allowed; from ${from}: ${allowed}`,
    );
  }
  return to;
}

export function allowedTransitions(from: TenantState): readonly TenantState[] {
  return next[from];
}
