/** The verbs that are one channel call each: answer, play, record, hangup, gather. */
import type { SystemPrompt } from '../../domain/call-flow/prompts.ts';
import type { Step } from '../../domain/call-flow/validate-flow.ts';
import { end, next, type VerbRunner } from '../verb-runner.ts';

export const answerVerb: VerbRunner = {
  async run(ctx) {
    if (ctx.channel.state !== 'answered') await ctx.channel.answer();
    return next;
  },
};

export const playVerb: VerbRunner<Step & { prompt: SystemPrompt; loop?: number }> = {
  async run(ctx, step) {
    for (let i = 0; i < (step.loop ?? 1); i++) await ctx.channel.play({ name: step.prompt });
    if (ctx.number.usageMode === 'announcement_only') ctx.disposition = 'announcement';
    return next;
  },
};

export const recordVerb: VerbRunner<Step & { enabled: boolean }> = {
  async run(ctx, step) {
    // Announcement-only calls are never recorded (PRODUCT.md).
    if (ctx.number.usageMode !== 'announcement_only')
      await ctx.channel.setCallRecording(step.enabled);
    return next;
  },
};

export const hangupVerb: VerbRunner = {
  async run(ctx) {
    await ctx.channel.hangup();
    return end;
  },
};

export const gatherVerb: VerbRunner<
  Step & {
    prompt?: SystemPrompt;
    into: string;
    minDigits?: number;
    maxDigits: number;
    timeoutSec?: number;
    interDigitTimeoutSec?: number;
    finishOnKey?: string;
  }
> = {
  async run(ctx, step) {
    const r = await ctx.channel.collect({
      ...(step.prompt ? { prompt: { name: step.prompt } } : {}),
      minDigits: step.minDigits ?? 1,
      maxDigits: step.maxDigits,
      timeoutMs: (step.timeoutSec ?? 5) * 1000,
      interDigitTimeoutMs: (step.interDigitTimeoutSec ?? 3) * 1000,
      ...(step.finishOnKey ? { finishOnKey: step.finishOnKey } : {}),
    });
    ctx.vars.set(step.into, r.digits);
    ctx.trace(`gather ${step.into}=${r.digits.length} digits (${r.reason})`);
    return next;
  },
};
