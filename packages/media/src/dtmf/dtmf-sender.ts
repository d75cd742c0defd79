/**
 * RFC 4733 DTMF sender: turns digits into the telephone-event packet sequence.
 *
 * For each digit (§2.5.1):
 *   - the first packet has the RTP marker bit set (§2.5.1.2, start of a new event);
 *   - every ptime an update with the same RTP timestamp (the event start) and a growing
 *     duration;
 *   - the final packet has the E bit and the total duration and is sent three times
 *     (§2.5.1.4: retransmit the end packet, same timestamp, new sequence numbers);
 *   - an event longer than 65535 timestamp units is split into segments (§2.5.1.3): the
 *     segment that overflows reports 0xFFFF and the next one starts at timestamp + 0xFFFF
 *     without a marker.
 *
 * The sender is pulled by the stream's packetization tick (the shared media clock), never
 * runs a timer of its own; the caller assigns sequence numbers and the payload type.
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';
import {
  dtmfEventCode,
  TELEPHONE_EVENT_PAYLOAD_SIZE,
  writeTelephoneEvent,
} from './telephone-event.ts';

/** Times the end packet is sent (§2.5.1.4 recommends three). */
export const DTMF_END_PACKET_COUNT = 3;
const MAX_DURATION = 0xffff;

export interface DtmfPacketPlan {
  marker: boolean;
  /** Offset of the packet's RTP timestamp from the event start (non-zero only for segments). */
  timestampOffset: number;
  end: boolean;
  duration: number;
}

export interface DtmfPlanOptions {
  durationMs: number;
  ptimeMs?: number;
  clockRate?: number;
}

/**
 * The packets of one event, one per ptime tick, in order. Pure and allocation-happy:
 * digits are rare.
 */
export function planDtmfEvent(options: DtmfPlanOptions): DtmfPacketPlan[] {
  const ptimeMs = options.ptimeMs ?? 20;
  const clockRate = options.clockRate ?? 8000;
  if (!(options.durationMs > 0) || !(ptimeMs > 0)) {
    throw new MediaError(MediaErrorCode.DtmfInvalid, 'DTMF duration and ptime must be > 0');
  }
  const total = Math.round((options.durationMs * clockRate) / 1000);
  const step = Math.round((ptimeMs * clockRate) / 1000);
  const plan: DtmfPacketPlan[] = [];
  let segmentStart = 0;
  let marker = true;
  for (let elapsed = step; elapsed < total; elapsed += step) {
    const duration = elapsed - segmentStart;
    if (duration >= MAX_DURATION) {
      // §2.5.1.3: this tick closes the segment at 0xFFFF; the next one starts a new segment.
      plan.push({
        marker: false,
        timestampOffset: segmentStart,
        end: false,
        duration: MAX_DURATION,
      });
      segmentStart += MAX_DURATION;
      continue;
    }
    plan.push({ marker, timestampOffset: segmentStart, end: false, duration });
    marker = false;
  }
  while (total - segmentStart > MAX_DURATION) {
    plan.push({ marker: false, timestampOffset: segmentStart, end: false, duration: MAX_DURATION });
    segmentStart += MAX_DURATION;
  }
  const finalDuration = total - segmentStart;
  for (let i = 0; i < DTMF_END_PACKET_COUNT; i++) {
    plan.push({ marker, timestampOffset: segmentStart, end: true, duration: finalDuration });
    marker = false;
  }
  return plan;
}

export interface DtmfSenderOptions {
  /** Tone duration per digit (default 100 ms; ≥ 40 ms is what receivers expect). */
  durationMs?: number;
  /** Pause between queued digits (default 60 ms). */
  gapMs?: number;
  ptimeMs?: number;
  clockRate?: number;
  /** −dBm0, default 10 (§2.5.2.2). */
  volume?: number;
}

/** What to put on the wire this tick; reused between calls (copy if you keep it). */
export interface DtmfFrame {
  marker: boolean;
  timestamp: number;
  /** 4-byte telephone-event payload. */
  readonly payload: Uint8Array;
  /** The digit this packet belongs to. */
  digit: string;
  /** True when this is the last packet of the digit. */
  last: boolean;
}

export class DtmfSender {
  private readonly durationMs: number;
  private readonly gapTicks: number;
  private readonly ptimeMs: number;
  private readonly clockRate: number;
  private readonly volume: number;
  private readonly queue: string[] = [];
  private plan: DtmfPacketPlan[] | undefined;
  private planIndex = 0;
  private eventCode = 0;
  private eventTimestamp = 0;
  private gapRemaining = 0;
  private readonly frame: DtmfFrame = {
    marker: false,
    timestamp: 0,
    payload: new Uint8Array(TELEPHONE_EVENT_PAYLOAD_SIZE),
    digit: '',
    last: false,
  };

  constructor(options: DtmfSenderOptions = {}) {
    this.durationMs = options.durationMs ?? 100;
    this.ptimeMs = options.ptimeMs ?? 20;
    this.gapTicks = Math.ceil((options.gapMs ?? 60) / this.ptimeMs);
    this.clockRate = options.clockRate ?? 8000;
    this.volume = options.volume ?? 10;
  }

  /** Queue digits (validated now, so a bad digit fails the caller, not the clock). */
  enqueue(digits: string): void {
    for (const d of digits) dtmfEventCode(d);
    for (const d of digits) this.queue.push(d.toUpperCase());
  }

  /**
   * True when there is nothing to do: no digit in progress, none queued, no inter-digit
   * gap running. While not idle, call {@link nextFrame} every tick.
   */
  get idle(): boolean {
    return this.plan === undefined && this.queue.length === 0 && this.gapRemaining === 0;
  }

  get pending(): number {
    return this.queue.length + (this.plan === undefined ? 0 : 1);
  }

  /** Drop queued digits; the digit in progress still finishes with its end packets. */
  clear(): void {
    this.queue.length = 0;
  }

  /**
   * Called once per ptime. `rtpTimestamp` is the stream's timestamp for this tick; a new
   * digit starts at it. Returns the packet to send, or undefined to send audio instead.
   */
  nextFrame(rtpTimestamp: number): DtmfFrame | undefined {
    if (this.plan === undefined) {
      if (this.gapRemaining > 0) {
        this.gapRemaining--;
        return undefined;
      }
      const digit = this.queue.shift();
      if (digit === undefined) return undefined;
      this.plan = planDtmfEvent({
        durationMs: this.durationMs,
        ptimeMs: this.ptimeMs,
        clockRate: this.clockRate,
      });
      this.planIndex = 0;
      this.eventCode = dtmfEventCode(digit);
      this.eventTimestamp = rtpTimestamp >>> 0;
      this.frame.digit = digit;
    }
    const step = this.plan[this.planIndex]!;
    this.planIndex++;
    const f = this.frame;
    f.marker = step.marker;
    f.timestamp = (this.eventTimestamp + step.timestampOffset) >>> 0;
    f.last = this.planIndex === this.plan.length;
    writeTelephoneEvent(f.payload, {
      event: this.eventCode,
      end: step.end,
      volume: this.volume,
      duration: step.duration,
    });
    if (f.last) {
      this.plan = undefined;
      this.gapRemaining = this.gapTicks;
    }
    return f;
  }
}
