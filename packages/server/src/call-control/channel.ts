/**
 * What call control needs from telephony: one inbound call as seen by the flow. The
 * SIP + media glue implements it (answer = 200 OK with SDP, early media = 183, play =
 * a media player port, digits = RFC 4733 or SIP INFO…); call control never sees SIP.
 *
 * Every method rejects with `CallEnded` once the caller has hung up, so a verb awaiting
 * anything is woken up and the session can close the call's record.
 */
import type { SystemPrompt } from '../domain/call-flow/prompts.ts';

/** A prompt, possibly with values to read out (digits, a date/time window, a position). */
export interface PromptRef {
  name: SystemPrompt;
  /** digits: '09012345678'; window: {start, end} ISO; position/minutes: numbers */
  params?: {
    digits?: string;
    window?: { start: string; end: string };
    position?: number;
    minutes?: number;
  };
}

export interface CollectOptions {
  prompt?: PromptRef;
  minDigits: number;
  maxDigits: number;
  timeoutMs: number;
  interDigitTimeoutMs: number;
  finishOnKey?: string;
}

export interface CollectResult {
  digits: string;
  /** What ended the collection. */
  reason: 'max_digits' | 'finish_key' | 'timeout';
}

export interface DialResult {
  outcome: 'answered' | 'no_answer' | 'busy' | 'failed';
  /** Set when answered: who hung up the bridged call. */
  hungUpBy?: 'caller' | 'callee';
}

export type ChannelState = 'offered' | 'early' | 'answered' | 'ended';

export class CallEnded extends Error {
  readonly by: 'caller' | 'platform';
  constructor(by: 'caller' | 'platform') {
    super(`call ended by ${by}`);
    this.name = 'CallEnded';
    this.by = by;
  }
}

export interface CallChannel {
  readonly state: ChannelState;
  /** 200 OK: the call is connected (and from now on billed to the caller). */
  answer(): Promise<void>;
  /** 183 Session Progress with media: play before answering (announcement-only). */
  earlyMedia(): Promise<void>;
  /** Plays to the end, or until a digit when `bargeIn` (returns that digit). */
  play(prompt: PromptRef, opts?: { bargeIn?: boolean }): Promise<{ interruptedBy?: string }>;
  collect(opts: CollectOptions): Promise<CollectResult>;
  /** Calls a phone number (E.164) or SIP URI and bridges; resolves when that leg ends. */
  dial(target: string, opts: { timeoutMs: number; callerId: string | null }): Promise<DialResult>;
  /** Records a message up to `maxMs`; resolves with the recording's reference. */
  recordMessage(maxMs: number): Promise<{ recording: string; durationMs: number }>;
  /** Starts or stops the call's quality recording; returns the recording when started. */
  setCallRecording(enabled: boolean): Promise<string | null>;
  /** Ends the call from our side (BYE, or a final response while not yet answered). */
  hangup(sipStatus?: number): Promise<void>;
  /** Resolves when the call ends, for verbs that wait on something else (a queue). */
  onEnded(): Promise<CallEnded>;
}
