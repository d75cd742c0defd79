/** Verbs that connect the caller somewhere: enqueue (operators), dial (a phone), voicemail. */
import type { SystemPrompt } from '../../domain/call-flow/prompts.ts';
import { normaliseDestination } from '../../domain/phone-number.ts';
import type { Step } from '../../domain/call-flow/validate-flow.ts';
import { CallEnded } from '../channel.ts';
import { branch, end, type VerbRunner } from '../verb-runner.ts';

export const enqueueVerb: VerbRunner<
  Step & {
    queue: string;
    maxWaitSec?: number;
    maxQueueLength?: number;
    busyPrompt?: SystemPrompt;
    announcePosition?: boolean;
    overflow: Step[];
  }
> = {
  async run(ctx, step) {
    const abort = new AbortController();
    const started = ctx.clock.now().getTime();
    try {
      const offer = ctx.queues.offer(
        {
          callId: ctx.callId,
          tenantId: ctx.tenant.id,
          queue: step.queue,
          maxWaitMs: (step.maxWaitSec ?? 120) * 1000,
          maxQueueLength: step.maxQueueLength ?? 20,
          ...(step.announcePosition
            ? {
                onPosition: (position: number) =>
                  void ctx.channel
                    .play({ name: 'queue_position', params: { position } })
                    .catch(() => {}),
              }
            : {}),
        },
        abort.signal,
      );
      // Waiting in the queue, the caller may give up: the channel tells us.
      const r = await Promise.race([
        offer,
        ctx.channel.onEnded().then((e) => {
          throw e;
        }),
      ]);
      ctx.queueWaitMs = r.waitMs;
      if (r.outcome === 'answered') {
        ctx.disposition = 'answered_by_operator';
        ctx.trace(`answered by operator ${r.operatorId} after ${r.waitMs} ms`);
        return end;
      }
      ctx.trace(`queue ${step.queue}: ${r.outcome}`);
      if (step.busyPrompt) await ctx.channel.play({ name: step.busyPrompt });
      return branch(step.overflow, 'overflow');
    } catch (err) {
      if (err instanceof CallEnded && err.by === 'caller') {
        abort.abort();
        ctx.queueWaitMs = ctx.clock.now().getTime() - started;
        ctx.disposition = 'abandoned_in_queue';
        // A caller who gave up waiting is called back (PRODUCT.md "Call handling").
        if (ctx.caller && !ctx.callbackTaskId) {
          await ctx.createCallback({
            callbackNumber: ctx.caller,
            windowStart: null,
            windowEnd: null,
            reason: '待ち呼中の放棄 (abandoned in queue)',
            source: 'abandoned',
          });
        }
      }
      throw err;
    }
  },
};

export const dialVerb: VerbRunner<
  Step & {
    target: string;
    timeoutSec?: number;
    callerId?: 'caller' | 'number';
    onNoAnswer?: Step[];
  }
> = {
  async run(ctx, step) {
    const raw = step.target === 'destination' ? ctx.number.destination : step.target;
    if (!raw) {
      ctx.trace('dial: the number has no destination');
      return branch(step.onNoAnswer, 'onNoAnswer');
    }
    let target: string;
    try {
      // A SIP URI is dialled as written; a phone number (03-1234-5678) goes out as E.164.
      target = normaliseDestination(raw, 'dial target');
    } catch (err) {
      ctx.trace(`dial: ${(err as Error).message}`);
      return branch(step.onNoAnswer, 'onNoAnswer');
    }
    // Caller ID on the forwarded leg: the original caller (when known) or our number.
    const callerId = (step.callerId ?? 'caller') === 'caller' ? ctx.caller : ctx.number.e164;
    const r = await ctx.channel.dial(target, {
      timeoutMs: (step.timeoutSec ?? 20) * 1000,
      callerId,
      assertedId: ctx.number.e164,
      route: ctx.outboundRoute ?? null,
      // The caller is answered when the far end is: that starts the call's clock and recording.
      onAnswered: () => ctx.markAnswered?.(),
    });
    ctx.trace(`dial ${target}: ${r.outcome}`);
    if (r.outcome === 'answered') {
      ctx.disposition = 'forwarded';
      ctx.endedBy = r.hungUpBy ?? 'platform';
      return end;
    }
    return branch(step.onNoAnswer, 'onNoAnswer');
  },
};

export const voicemailVerb: VerbRunner<Step & { prompt?: SystemPrompt; maxSec?: number }> = {
  async run(ctx, step) {
    await ctx.channel.play({ name: step.prompt ?? 'voicemail_beep' });
    const r = await ctx.channel.recordMessage((step.maxSec ?? 120) * 1000);
    ctx.recording = r.recording;
    ctx.disposition = 'voicemail';
    ctx.trace(`voicemail ${r.durationMs} ms`);
    await ctx.channel.play({ name: 'goodbye' });
    await ctx.channel.hangup();
    return end;
  },
};
