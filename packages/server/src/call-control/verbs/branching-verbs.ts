/** Verbs that choose a branch: menu, businessHours, screen. */
import { alwaysOpen, openState } from '../../domain/call-flow/business-hours.ts';
import type { BusinessHours } from '../../domain/call-flow/business-hours.ts';
import type { SystemPrompt } from '../../domain/call-flow/prompts.ts';
import type { Step } from '../../domain/call-flow/validate-flow.ts';
import { branch, next, type VerbRunner } from '../verb-runner.ts';

export const menuVerb: VerbRunner<
  Step & {
    prompt: SystemPrompt;
    options: Record<string, Step[]>;
    timeoutSec?: number;
    attempts?: number;
    onFailure?: Step[];
  }
> = {
  async run(ctx, step) {
    const attempts = step.attempts ?? 3;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const r = await ctx.channel.collect({
        prompt: { name: step.prompt },
        minDigits: 1,
        maxDigits: 1,
        timeoutMs: (step.timeoutSec ?? 5) * 1000,
        interDigitTimeoutMs: 1000,
      });
      const choice = r.digits;
      if (choice && step.options[choice]) {
        ctx.trace(`menu ${choice}`);
        return branch(step.options[choice], `options.${choice}`);
      }
      ctx.trace(`menu ${choice ? `invalid ${choice}` : 'timeout'} (attempt ${attempt})`);
      if (attempt < attempts) await ctx.channel.play({ name: 'invalid_choice' });
    }
    return branch(step.onFailure, 'onFailure');
  },
};

export const businessHoursVerb: VerbRunner<
  Step & { hours: 'tenant' | BusinessHours; open: Step[]; closed: Step[] }
> = {
  async run(ctx, step) {
    const hours = step.hours === 'tenant' ? (ctx.businessHours() ?? alwaysOpen) : step.hours;
    const state = openState(hours, ctx.clock.now());
    ctx.trace(
      state.open
        ? 'business hours: open'
        : `business hours: closed (${state.reason}${state.detail ? ` ${state.detail}` : ''})`,
    );
    return state.open ? branch(step.open, 'open') : branch(step.closed, 'closed');
  },
};

/** "Press 1 if you are a customer": sales calls and robocalls drop out, unbilled. */
export const screenVerb: VerbRunner<
  Step & { prompt: SystemPrompt; key: string; timeoutSec?: number; onFail: Step[] }
> = {
  async run(ctx, step) {
    const r = await ctx.channel.collect({
      prompt: { name: step.prompt },
      minDigits: 1,
      maxDigits: 1,
      timeoutMs: (step.timeoutSec ?? 5) * 1000,
      interDigitTimeoutMs: 1000,
    });
    if (r.digits === step.key) {
      ctx.trace('screen passed');
      return next;
    }
    ctx.trace(`screen failed (${r.digits || 'no key'})`);
    ctx.disposition = 'screened_out';
    ctx.billable = false;
    return branch(step.onFail, 'onFail');
  },
};
