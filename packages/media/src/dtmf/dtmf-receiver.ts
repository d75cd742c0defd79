/**
 * RFC 4733 DTMF receiver (§2.5.2): reassembles telephone-event packets into digits.
 *
 * An event is identified by its RTP timestamp (§2.5.2.1): packets with the timestamp of
 * the current event update it; a new timestamp starts a new event; packets for an event
 * already reported (the three retransmitted end packets, late updates) are dropped. A
 * segment continuing a long event (§2.5.1.3: same event code, no marker, timestamp =
 * previous timestamp + 0xFFFF) is merged into it.
 *
 * An event whose end packets were all lost is closed when the next event starts or when
 * {@link DtmfReceiver.poll} finds it silent for longer than `timeoutMs`.
 *
 * State per event:   idle ──packet──▶ active ──E bit / next event / timeout──▶ idle
 */
import { EventEmitter } from 'node:events';
import {
  type DtmfDigit,
  dtmfDigitFromEvent,
  readTelephoneEvent,
  type TelephoneEventPayload,
} from './telephone-event.ts';

export interface DtmfDigitEvent {
  /** The DTMF digit, undefined for other events (e.g. 16 = flash). */
  digit: DtmfDigit | undefined;
  event: number;
  /** RTP timestamp of the event start. */
  rtpTimestamp: number;
  /** Receiver clock (ms) when the first packet of the event arrived. */
  startMs: number;
  /** Duration reported by the sender, in ms. */
  durationMs: number;
  volume: number;
  endedBy: 'end-packet' | 'next-event' | 'timeout';
}

export interface DtmfStartEvent {
  digit: DtmfDigit | undefined;
  event: number;
  rtpTimestamp: number;
  startMs: number;
}

export type DtmfReceiverEvents = {
  /** First packet of an event: react fast (e.g. interrupt a prompt). */
  start: [DtmfStartEvent];
  /** The event is over: one per digit, never repeated. */
  digit: [DtmfDigitEvent];
};

export interface DtmfReceiverOptions {
  now: () => number;
  clockRate?: number;
  /** Close an event with no packets for this long (default 250 ms). */
  timeoutMs?: number;
}

const SEGMENT = 0xffff;

export class DtmfReceiver extends EventEmitter<DtmfReceiverEvents> {
  private readonly now: () => number;
  private readonly clockRate: number;
  private readonly timeoutMs: number;
  private readonly scratch: TelephoneEventPayload = {
    event: 0,
    end: false,
    volume: 0,
    duration: 0,
  };

  private active = false;
  private event = 0;
  /** Timestamp of the segment currently being received. */
  private segmentTimestamp = 0;
  /** Timestamp of the event's first segment. */
  private startTimestamp = 0;
  /** Duration accumulated in earlier segments (§2.5.1.3). */
  private priorDuration = 0;
  private duration = 0;
  private volume = 0;
  private startMs = 0;
  private lastPacketMs = 0;
  /** Timestamp of the last finished event, to drop its retransmitted end packets. */
  private finishedTimestamp: number | undefined;

  constructor(options: DtmfReceiverOptions) {
    super();
    this.now = options.now;
    this.clockRate = options.clockRate ?? 8000;
    this.timeoutMs = options.timeoutMs ?? 250;
  }

  /**
   * Feed one telephone-event RTP packet (the caller has matched the negotiated payload
   * type). `payload` is the RTP payload region.
   */
  receive(
    rtpTimestamp: number,
    marker: boolean,
    payload: Uint8Array,
    offset = 0,
    length?: number,
  ): void {
    const p = readTelephoneEvent(payload, offset, length ?? payload.length - offset, this.scratch);
    if (p === undefined) return;
    const ts = rtpTimestamp >>> 0;
    const nowMs = this.now();
    if (this.active && ts === this.segmentTimestamp) {
      this.update(p, nowMs);
      return;
    }
    if (
      this.active &&
      !marker &&
      p.event === this.event &&
      ts === (this.segmentTimestamp + SEGMENT) >>> 0
    ) {
      // Next segment of a long event.
      this.priorDuration += SEGMENT;
      this.segmentTimestamp = ts;
      this.update(p, nowMs);
      return;
    }
    if (
      !this.active &&
      this.finishedTimestamp !== undefined &&
      (ts === this.finishedTimestamp || (!marker && ((ts - this.finishedTimestamp) | 0) < 0))
    ) {
      // Retransmitted end / late update of this or an earlier event. A marker packet with
      // an older timestamp is still a new event (§2.5.1.2): the sender may have restarted.
      return;
    }
    if (this.active) {
      if (this.isOlder(ts)) return; // a late packet of something older: ignore
      this.finish('next-event');
    }
    this.active = true;
    this.event = p.event;
    this.segmentTimestamp = ts;
    this.startTimestamp = ts;
    this.priorDuration = 0;
    this.duration = 0;
    this.startMs = nowMs;
    this.emit('start', {
      digit: dtmfDigitFromEvent(p.event),
      event: p.event,
      rtpTimestamp: ts,
      startMs: nowMs,
    });
    this.update(p, nowMs);
  }

  /**
   * Forget the previous event (the stream's source changed: new SSRC after a re-INVITE or
   * a B2BUA switching legs). An event in progress is closed first.
   */
  reset(): void {
    if (this.active) this.finish('next-event');
    this.finishedTimestamp = undefined;
  }

  /** Close an event whose end packets never came. Call from the media clock tick. */
  poll(): void {
    if (this.active && this.now() - this.lastPacketMs > this.timeoutMs) this.finish('timeout');
  }

  private isOlder(ts: number): boolean {
    return ((ts - this.startTimestamp) | 0) < 0;
  }

  private update(p: TelephoneEventPayload, nowMs: number): void {
    this.lastPacketMs = nowMs;
    this.volume = p.volume;
    if (p.duration > this.duration) this.duration = p.duration;
    if (p.end) {
      this.duration = p.duration;
      this.finish('end-packet');
    }
  }

  private finish(endedBy: DtmfDigitEvent['endedBy']): void {
    this.active = false;
    this.finishedTimestamp = this.segmentTimestamp;
    this.emit('digit', {
      digit: dtmfDigitFromEvent(this.event),
      event: this.event,
      rtpTimestamp: this.startTimestamp,
      startMs: this.startMs,
      durationMs: ((this.priorDuration + this.duration) * 1000) / this.clockRate,
      volume: this.volume,
      endedBy,
    });
  }
}
