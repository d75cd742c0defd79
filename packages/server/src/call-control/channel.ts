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

/**
 * Where calls to phone numbers leave: a carrier trunk's outbound address and how it wants
 * numbers written (national 0312345678 or E.164 +81312345678).
 */
export interface OutboundRoute {
  trunkId: string;
  target: string;
  numberFormat: 'national' | 'e164';
}

export interface DialOptions {
  timeoutMs: number;
  /** The caller ID to show on the new leg (E.164), or null to withhold it. */
  callerId: string | null;
  /** The number the platform asserts for the leg (our lent number, RFC 3325). */
  assertedId?: string | null;
  /** Needed for phone-number targets; SIP URIs are dialled directly. */
  route?: OutboundRoute | null;
  /** Called once the far end answered and the caller is connected to it. */
  onAnswered?: () => Promise<void> | void;
}

/** What the channel measured about one leg, for the call_legs table. */
export interface LegReport {
  peer: string;
  sipCallId: string | null;
  fromNumber: string | null;
  toNumber: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  outcome: 'answered' | 'no_answer' | 'busy' | 'failed' | 'cancelled';
  hangupBy: 'caller' | 'callee' | 'platform' | null;
  sipStatus: number | null;
  rtpStats: RtpStats | null;
}

export interface RtpStats {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  jitterMs: number;
  mos: number;
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
  /**
   * The client's own recordings (prompt name → WAV file) to play in place of system prompts
   * on this call; set once the call is admitted and its tenant known.
   */
  usePromptFiles?(files: ReadonlyMap<string, string>): void;
  /** Plays to the end, or until a digit when `bargeIn` (returns that digit). */
  play(prompt: PromptRef, opts?: { bargeIn?: boolean }): Promise<{ interruptedBy?: string }>;
  collect(opts: CollectOptions): Promise<CollectResult>;
  /** Calls a phone number (E.164) or SIP URI and bridges; resolves when that leg ends. */
  dial(target: string, opts: DialOptions): Promise<DialResult>;
  /** Records a message up to `maxMs`; resolves with the recording's reference. */
  recordMessage(maxMs: number): Promise<{ recording: string; durationMs: number }>;
  /** Starts or stops the call's quality recording; returns the recording when started. */
  setCallRecording(enabled: boolean): Promise<string | null>;
  /** Ends the call from our side (BYE, or a final response while not yet answered). */
  hangup(sipStatus?: number): Promise<void>;
  /** Resolves when the call ends, for verbs that wait on something else (a queue). */
  onEnded(): Promise<CallEnded>;
  /**
   * After the call: the caller leg's RTP counters and every outbound leg tried (for the
   * call_legs rows). Optional: a channel without media has nothing to report.
   */
  report?(): Promise<{ rtpStats: RtpStats | null; outbound: LegReport[] }>;
}
