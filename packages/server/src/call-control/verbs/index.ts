import type { VerbName } from '../../domain/call-flow/verbs.ts';
import type { VerbRunner } from '../verb-runner.ts';
import { businessHoursVerb, menuVerb, screenVerb } from './branching-verbs.ts';
import { callbackVerb } from './callback-verb.ts';
import { dialVerb, enqueueVerb, voicemailVerb } from './connecting-verbs.ts';
import { answerVerb, gatherVerb, hangupVerb, playVerb, recordVerb } from './simple-verbs.ts';

/** One runner per verb in domain/call-flow/verbs.ts; the type makes a missing one an error. */
// biome-ignore lint/suspicious/noExplicitAny: each runner narrows the step type itself
export const verbRunners: Record<VerbName, VerbRunner<any>> = {
  answer: answerVerb,
  play: playVerb,
  menu: menuVerb,
  gather: gatherVerb,
  businessHours: businessHoursVerb,
  screen: screenVerb,
  enqueue: enqueueVerb,
  dial: dialVerb,
  voicemail: voicemailVerb,
  record: recordVerb,
  callback: callbackVerb,
  hangup: hangupVerb,
};
