/**
 * A number in our pool (PRODUCT.md "Numbers and how a call reaches us").
 *
 *   available ──assign──► assigned ──release──► quarantined ──(until passes)──► available
 *       ▲                                                                          │
 *       └──────────────────────────────────────────────────────────────────────────┘
 *
 * Reused numbers attract calls meant for the previous holder, so a released number rests
 * in quarantine before it can be lent again. The stored state stays `quarantined`; the
 * effective state is `available` once `quarantinedUntil` has passed.
 */
export const numberStates = ['available', 'assigned', 'quarantined'] as const;
export type NumberState = (typeof numberStates)[number];

/** Exactly one usage mode per lent number. */
export const usageModes = ['forwarding', 'display', 'announcement_only'] as const;
export type UsageMode = (typeof usageModes)[number];

export function effectiveNumberState(
  state: NumberState,
  quarantinedUntil: string | null,
  now: Date,
): NumberState {
  if (
    state === 'quarantined' &&
    quarantinedUntil !== null &&
    quarantinedUntil <= now.toISOString()
  ) {
    return 'available';
  }
  return state;
}
