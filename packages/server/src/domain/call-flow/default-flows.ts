import type { UsageMode } from '../phone-number-state.ts';
import type { CallFlow } from './validate-flow.ts';

/** Operators, and when they are all busy: the busy announcement, then a callback offer. */
export const answeringFlow: CallFlow = {
  steps: [
    { verb: 'answer' },
    {
      verb: 'enqueue',
      queue: 'default',
      maxWaitSec: 120,
      busyPrompt: 'busy',
      announcePosition: true,
      overflow: [
        { verb: 'play', prompt: 'busy' },
        { verb: 'callback', reason: '混雑のため折り返し' },
      ],
    },
  ],
};

/** 応答メッセージ専用: play the message and hang up; never recorded. */
export const announcementFlow: CallFlow = {
  steps: [{ verb: 'play', prompt: 'announcement_web' }, { verb: 'hangup' }],
};

/** The flow a number runs when no flow is attached to it. */
export function defaultFlow(mode: UsageMode, selfAnswer: boolean): CallFlow {
  if (mode === 'announcement_only') return announcementFlow;
  if (selfAnswer) {
    // Straight to the client's own phone; operators again when it is not answered.
    return {
      steps: [
        { verb: 'dial', target: 'destination', timeoutSec: 20, onNoAnswer: answeringFlow.steps },
      ],
    };
  }
  return answeringFlow;
}
