/**
 * Callback capture (自動コールバック): the caller keys in a number to call back (default:
 * the number they are calling from) and a date and hour; the system reads both back and
 * asks 1 to confirm or 2 to re-enter; the result is a callback task.
 *
 *   number ──► date ──► hour ──► read back ──1──► task, "承りました", hang up
 *     ▲                              │
 *     └──────────────2───────────────┘
 *
 * A wrong entry is explained (invalid_choice) and asked again, at most `attempts` times per
 * question. A caller who hangs up midway, or never confirms, still leaves a task with their
 * caller ID (source: abandoned) when one is known, so nobody who wanted a callback is lost.
 */
import type { Step } from '../../domain/call-flow/validate-flow.ts';
import { normaliseJapanesePhone } from '../../domain/phone-number.ts';
import { AppError } from '../../errors.ts';
import { parseCallbackDate, parseCallbackHour, type WindowRules } from '../callback-entry.ts';
import type { CallContext } from '../call-context.ts';
import { CallEnded } from '../channel.ts';
import { end, type VerbRunner } from '../verb-runner.ts';

const attempts = 3;

type CallbackStep = Step & {
  reason?: string;
  firstHour?: number;
  lastHour?: number;
  maxDaysAhead?: number;
};

async function ask<T>(
  ctx: CallContext,
  question: () => Promise<{ ok: true; value: T } | { ok: false; reason: string }>,
): Promise<T | undefined> {
  for (let i = 1; i <= attempts; i++) {
    const r = await question();
    if (r.ok) return r.value;
    ctx.trace(`callback entry refused: ${r.reason}`);
    if (i < attempts) await ctx.channel.play({ name: 'invalid_choice' });
  }
  return undefined;
}

async function capture(ctx: CallContext, step: CallbackStep, rules: WindowRules): Promise<boolean> {
  for (;;) {
    const number = await ask(ctx, async () => {
      const r = await ctx.channel.collect({
        prompt: { name: 'enter_number' },
        minDigits: 0,
        maxDigits: 11,
        timeoutMs: 10_000,
        interDigitTimeoutMs: 5_000,
        finishOnKey: '#',
      });
      // Only # (or nothing): the number they are calling from.
      if (r.digits === '') {
        return ctx.caller?.startsWith('+81')
          ? { ok: true, value: ctx.caller }
          : { ok: false, reason: 'no Japanese caller ID to default to' };
      }
      try {
        return { ok: true, value: normaliseJapanesePhone(r.digits, 'callbackNumber') };
      } catch (err) {
        if (err instanceof AppError)
          return { ok: false, reason: `${r.digits} is not a dialable Japanese number` };
        throw err;
      }
    });
    if (!number) return false;
    const date = await ask(ctx, async () => {
      const r = await ctx.channel.collect({
        prompt: { name: 'enter_date' },
        minDigits: 0,
        maxDigits: 4,
        timeoutMs: 10_000,
        interDigitTimeoutMs: 5_000,
        finishOnKey: '#',
      });
      return parseCallbackDate(r.digits, ctx.clock.now(), rules);
    });
    if (!date) return false;
    const window = await ask(ctx, async () => {
      const r = await ctx.channel.collect({
        prompt: { name: 'enter_time' },
        minDigits: 1,
        maxDigits: 2,
        timeoutMs: 10_000,
        interDigitTimeoutMs: 5_000,
        finishOnKey: '#',
      });
      return parseCallbackHour(r.digits, date, ctx.clock.now(), rules);
    });
    if (!window) return false;

    // Read back, then 1 to confirm, 2 to re-enter.
    let choice = '';
    for (let i = 1; i <= attempts && choice !== '1' && choice !== '2'; i++) {
      await ctx.channel.play({ name: 'readback_number', params: { digits: number } });
      await ctx.channel.play({ name: 'readback_window', params: { window } });
      choice = (
        await ctx.channel.collect({
          prompt: { name: 'confirm_or_reenter' },
          minDigits: 1,
          maxDigits: 1,
          timeoutMs: 8_000,
          interDigitTimeoutMs: 1_000,
        })
      ).digits;
    }
    if (choice === '2') {
      ctx.trace('callback entry: re-enter');
      continue;
    }
    if (choice !== '1') return false;
    await ctx.createCallback({
      callbackNumber: number,
      windowStart: window.start,
      windowEnd: window.end,
      reason: step.reason ?? '折り返し希望',
      source: 'ivr',
    });
    ctx.disposition = 'callback_requested';
    await ctx.channel.play({ name: 'callback_accepted' });
    return true;
  }
}

export const callbackVerb: VerbRunner<CallbackStep> = {
  async run(ctx, step) {
    const rules: WindowRules = {
      firstHour: step.firstHour ?? 9,
      lastHour: step.lastHour ?? 18,
      maxDaysAhead: step.maxDaysAhead ?? 14,
    };
    try {
      const done = await capture(ctx, step, rules);
      if (!done) await leaveMissedTask(ctx, 'コールバック入力未完了 (entry not completed)');
    } catch (err) {
      if (err instanceof CallEnded && err.by === 'caller')
        await leaveMissedTask(ctx, 'コールバック入力中に切断 (hung up during entry)');
      throw err;
    }
    await ctx.channel.hangup();
    return end;
  },
};

async function leaveMissedTask(ctx: CallContext, reason: string): Promise<void> {
  if (!ctx.caller || ctx.callbackTaskId) return;
  await ctx.createCallback({
    callbackNumber: ctx.caller,
    windowStart: null,
    windowEnd: null,
    reason,
    source: 'abandoned',
  });
  ctx.disposition = 'abandoned';
}
