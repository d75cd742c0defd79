import type { Step } from '../domain/call-flow/validate-flow.ts';
import type { CallContext } from './call-context.ts';

/**
 * What a verb tells the session to do next:
 *   next    — go on with the step after it
 *   branch  — run these steps (a menu option, the closed branch…), then go on after it
 *   end     — the call is over (hung up, bridged and finished, voicemail taken…)
 */
export type VerbOutcome =
  | { kind: 'next' }
  | { kind: 'branch'; steps: Step[]; label: string }
  | { kind: 'end' };

export interface VerbRunner<S extends Step = Step> {
  run(ctx: CallContext, step: S): Promise<VerbOutcome>;
}

export const next: VerbOutcome = { kind: 'next' };
export const end: VerbOutcome = { kind: 'end' };
export const branch = (steps: unknown, label: string): VerbOutcome =>
  Array.isArray(steps) && steps.length > 0
    ? { kind: 'branch', steps: steps as Step[], label }
    : next;
