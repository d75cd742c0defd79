/**
 * Runs one inbound call's flow: step by step, resolving each verb's precondition first
 * (answer, or early media for announcement-only numbers), following branches, and
 * stopping when a verb ends the call or the caller hangs up. Whatever happens, `run`
 * resolves with a summary for the call record; it never throws for a hang-up.
 *
 *   offered ──(needs media/answer)──► early | answered ──► … ──► ended
 */
import type { Step } from '../domain/call-flow/validate-flow.ts';
import type { CallFlow } from '../domain/call-flow/validate-flow.ts';
import { verbs } from '../domain/call-flow/verbs.ts';
import type { CallContext, Disposition } from './call-context.ts';
import { CallEnded } from './channel.ts';
import { verbRunners } from './verbs/index.ts';

export interface CallSummary {
  disposition: Disposition;
  billable: boolean;
  answeredAt: string | null;
  endedAt: string;
  hungUpBy: 'caller' | 'callee' | 'platform';
  queueWaitMs: number | null;
  recording: string | null;
  callbackTaskId: string | null;
  trace: string[];
}

const maxStepsRun = 1000;

export async function runCallSession(
  ctx: CallContext,
  flow: CallFlow,
  traceLog: string[],
): Promise<CallSummary> {
  let answeredAt: string | null = null;
  let hungUpBy: 'caller' | 'platform' = 'platform';
  let stepsRun = 0;

  // Read afresh each time: the channel changes state under our feet (answer, hang-up).
  const stateOf = () => ctx.channel.state;

  /** Notes the moment of answering and starts the quality recording. */
  const markAnswered = async () => {
    if (answeredAt || stateOf() !== 'answered') return;
    answeredAt = ctx.clock.now().toISOString();
    // Every answered call is recorded for quality review, except announcement-only.
    if (ctx.number.usageMode !== 'announcement_only')
      ctx.recording ??= await ctx.channel.setCallRecording(true);
  };

  ctx.markAnswered = markAnswered;

  const ensure = async (needs: 'none' | 'media' | 'answered') => {
    const state = stateOf();
    if (needs === 'none' || state === 'answered') return;
    if (needs === 'media' && state === 'early') return;
    // Announcement-only numbers play over early media: the caller is not charged (183).
    if (needs === 'media' && ctx.number.usageMode === 'announcement_only') {
      await ctx.channel.earlyMedia();
      ctx.trace('early media');
      return;
    }
    await ctx.channel.answer();
  };

  const runSteps = async (steps: Step[], path: string): Promise<'continue' | 'ended'> => {
    for (const [i, step] of steps.entries()) {
      if (++stepsRun > maxStepsRun) {
        ctx.trace(`stopped after ${maxStepsRun} steps`);
        return 'ended';
      }
      await ensure(verbs[step.verb].needs);
      await markAnswered();
      const outcome = await verbRunners[step.verb].run(ctx, step);
      await markAnswered();
      if (outcome.kind === 'end') return 'ended';
      if (outcome.kind === 'branch') {
        if ((await runSteps(outcome.steps, `${path}[${i}].${outcome.label}`)) === 'ended')
          return 'ended';
      }
    }
    return 'continue';
  };

  try {
    await runSteps(flow.steps, 'steps');
    // The flow ran out of steps (or a verb ended it) with the line still up: hang up.
    if (stateOf() !== 'ended') await ctx.channel.hangup();
    if (ctx.disposition === 'abandoned') ctx.disposition = 'completed';
  } catch (err) {
    if (!(err instanceof CallEnded)) {
      ctx.trace(`error: ${(err as Error).message}`);
      ctx.disposition = 'failed';
      try {
        if (stateOf() !== 'ended') await ctx.channel.hangup(500);
      } catch {}
    } else {
      hungUpBy = err.by;
      ctx.trace(`ended by ${err.by}`);
    }
  }
  return {
    disposition: ctx.disposition,
    billable: ctx.billable,
    answeredAt,
    endedAt: ctx.clock.now().toISOString(),
    hungUpBy: ctx.endedBy ?? hungUpBy,
    queueWaitMs: ctx.queueWaitMs,
    recording: ctx.recording,
    callbackTaskId: ctx.callbackTaskId,
    trace: traceLog,
  };
}
