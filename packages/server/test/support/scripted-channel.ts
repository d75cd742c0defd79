/**
 * A caller driven by a script, behind the CallChannel seam: what they key in at each
 * question, when they hang up, how a forwarded leg goes. Call control is tested through it;
 * the same seam is implemented for real by the SIP + media glue and tested there with SIPp.
 */
import {
  type CallChannel,
  CallEnded,
  type ChannelState,
  type CollectOptions,
  type CollectResult,
  type DialResult,
  type PromptRef,
} from '../../src/call-control/channel.ts';

/** Per question: digits ('' = silence until the timeout), or HANGUP. */
export type CallerInput = string | 'HANGUP';

export class ScriptedChannel implements CallChannel {
  state: ChannelState = 'offered';
  readonly log: string[] = [];
  readonly played: PromptRef[] = [];
  recordingOn = false;
  everRecorded = false;
  #inputs: CallerInput[];
  #dial: DialResult[];
  #hangupWhenPlaying: string | undefined;
  #ended!: (e: CallEnded) => void;
  readonly #endedP: Promise<CallEnded>;

  constructor(
    script: { inputs?: CallerInput[]; dial?: DialResult[]; hangupWhenPlaying?: string } = {},
  ) {
    this.#inputs = [...(script.inputs ?? [])];
    this.#dial = [...(script.dial ?? [])];
    this.#hangupWhenPlaying = script.hangupWhenPlaying;
    this.#endedP = new Promise((r) => {
      this.#ended = r;
    });
  }

  /** The caller hangs up now (for tests that end the call from outside, e.g. in a queue). */
  callerHangsUp(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.log.push('caller hangs up');
    this.#ended(new CallEnded('caller'));
  }

  #live(): void {
    if (this.state === 'ended') throw new CallEnded('caller');
  }

  async answer() {
    this.#live();
    this.state = 'answered';
    this.log.push('answer');
  }
  async earlyMedia() {
    this.#live();
    this.state = 'early';
    this.log.push('183');
  }
  async play(prompt: PromptRef) {
    this.#live();
    this.played.push(prompt);
    this.log.push(`play ${prompt.name}${prompt.params ? ` ${JSON.stringify(prompt.params)}` : ''}`);
    if (prompt.name === this.#hangupWhenPlaying) {
      this.callerHangsUp();
      throw new CallEnded('caller');
    }
    return {};
  }
  async collect(opts: CollectOptions): Promise<CollectResult> {
    if (opts.prompt) await this.play(opts.prompt);
    this.#live();
    const input = this.#inputs.shift();
    if (input === 'HANGUP') {
      this.callerHangsUp();
      throw new CallEnded('caller');
    }
    const digits = (input ?? '').slice(0, opts.maxDigits);
    this.log.push(`keys '${digits}'`);
    if (!input) return { digits: '', reason: opts.finishOnKey ? 'finish_key' : 'timeout' };
    return { digits, reason: digits.length >= opts.maxDigits ? 'max_digits' : 'finish_key' };
  }
  async dial(target: string, opts: { timeoutMs: number; callerId: string | null }) {
    this.#live();
    const r = this.#dial.shift() ?? { outcome: 'no_answer' };
    this.log.push(`dial ${target} from ${opts.callerId ?? 'withheld'}: ${r.outcome}`);
    if (r.outcome === 'answered') this.state = 'ended';
    return r;
  }
  async recordMessage(maxMs: number) {
    this.#live();
    this.log.push(`record message ≤${maxMs} ms`);
    return { recording: 'voicemail/test.wav', durationMs: 4200 };
  }
  async setCallRecording(enabled: boolean) {
    this.#live();
    this.recordingOn = enabled;
    this.everRecorded ||= enabled;
    return enabled ? 'recordings/call.wav' : null;
  }
  async hangup(status?: number) {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.log.push(`hangup${status ? ` ${status}` : ''}`);
    this.#ended(new CallEnded('platform'));
  }
  onEnded() {
    return this.#endedP;
  }
}
