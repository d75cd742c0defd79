/**
 * The sending half of an {@link RtpSession}: RTP header state (RFC 3550 §5.1), G.711
 * encoding straight into pooled datagram buffers, and RFC 4733 digits taking the place
 * of audio packets while they are sent.
 */
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { DtmfSender } from '../dtmf/dtmf-sender.ts';
import { type G711Law, g711Tables } from '../g711/g711-codec.ts';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { RTP_HEADER_SIZE, type RtpHeaderFields, writeRtpHeader } from '../rtp/rtp-packet.ts';
import type { RtpStreamStats } from '../rtp/rtp-stream-stats.ts';

export interface TransportAddress {
  address: string;
  port: number;
}

/** Largest payload we send or decode: 60 ms of G.711. */
export const MAX_RTP_PAYLOAD = 480;

/**
 * Send buffers are pooled: dgram holds a buffer until its send callback, so a buffer is
 * reused only after that. The pool starts with a few and grows if a burst (clock
 * catch-up, DTMF) finds them all in flight — no allocation in steady state.
 */
const INITIAL_SEND_POOL = 4;

interface SendSlot {
  readonly buf: Uint8Array;
  inFlight: boolean;
  readonly done: (error: Error | null) => void;
}

export interface RtpSenderOptions {
  socket: Socket;
  destination: TransportAddress;
  codec: G711Law;
  payloadType: number;
  telephoneEventPt: number | undefined;
  ssrc: number;
  ptimeMs: number;
  stats: RtpStreamStats;
  dtmfDurationMs?: number;
}

export class RtpSender {
  private readonly socket: Socket;
  /** Where packets go; replaced by the session when it latches. */
  destination: TransportAddress;
  /** False while our direction excludes sending (hold): frames only advance the clock. */
  sending = true;
  sendErrors = 0;
  private readonly payloadType: number;
  private readonly telephoneEventPt: number | undefined;
  private readonly stats: RtpStreamStats;
  private readonly header: RtpHeaderFields;
  private readonly encodeTable: Uint8Array;
  private readonly pool: SendSlot[] = [];
  private poolIndex = 0;
  private readonly dtmf: DtmfSender;

  constructor(options: RtpSenderOptions) {
    this.socket = options.socket;
    this.destination = options.destination;
    this.payloadType = options.payloadType;
    this.telephoneEventPt = options.telephoneEventPt;
    this.stats = options.stats;
    this.encodeTable = g711Tables(options.codec).encode;
    // RFC 3550 §5.1: random initial sequence number and timestamp.
    this.header = {
      marker: true,
      payloadType: this.payloadType,
      sequenceNumber: randomInt(0, 0x10000),
      timestamp: randomInt(0, 0x1_0000_0000 - 1),
      ssrc: options.ssrc,
    };
    for (let i = 0; i < INITIAL_SEND_POOL; i++) this.addSlot();
    this.dtmf = new DtmfSender({
      ptimeMs: options.ptimeMs,
      ...(options.dtmfDurationMs ? { durationMs: options.dtmfDurationMs } : {}),
    });
  }

  /** RTP timestamp of the next packet (for SR sender info). */
  get timestamp(): number {
    return this.header.timestamp;
  }

  enqueueDtmf(digits: string): void {
    if (this.telephoneEventPt === undefined) {
      throw new MediaError(MediaErrorCode.DtmfInvalid, 'telephone-event was not negotiated');
    }
    this.dtmf.enqueue(digits);
  }

  sendFrame(pcm: Int16Array): void {
    if (!this.sending) {
      this.skip(pcm.length);
      return;
    }
    const slot = this.nextSlot();
    if (this.trySendDtmf(slot, pcm.length)) return;
    const buf = slot.buf;
    const n = Math.min(pcm.length, MAX_RTP_PAYLOAD);
    const headerLength = this.writeHeader(buf, this.payloadType);
    const enc = this.encodeTable;
    for (let i = 0; i < n; i++) buf[headerLength + i] = enc[pcm[i]! & 0xffff]!;
    this.transmit(slot, headerLength + n, n);
    this.header.timestamp = (this.header.timestamp + n) >>> 0; // G.711: 1 byte = 1 sample
  }

  sendEncoded(payload: Uint8Array, offset: number, length: number): void {
    if (!this.sending) {
      this.skip(length);
      return;
    }
    const slot = this.nextSlot();
    if (this.trySendDtmf(slot, length)) return;
    const buf = slot.buf;
    const n = Math.min(length, MAX_RTP_PAYLOAD);
    const headerLength = this.writeHeader(buf, this.payloadType);
    for (let i = 0; i < n; i++) buf[headerLength + i] = payload[offset + i]!;
    this.transmit(slot, headerLength + n, n);
    this.header.timestamp = (this.header.timestamp + n) >>> 0;
  }

  /**
   * Not sending (hold): the RTP clock still runs (RFC 3550 §5.1, timestamps follow the
   * sampling clock), and the first packet after resuming starts a talkspurt (marker).
   */
  private skip(samples: number): void {
    this.header.timestamp = (this.header.timestamp + samples) >>> 0;
    this.header.marker = true;
  }

  private addSlot(): SendSlot {
    const slot: SendSlot = {
      buf: new Uint8Array(RTP_HEADER_SIZE + MAX_RTP_PAYLOAD),
      inFlight: false,
      done: (error) => {
        slot.inFlight = false;
        if (error) this.sendErrors++;
      },
    };
    this.pool.push(slot);
    return slot;
  }

  private nextSlot(): SendSlot {
    const pool = this.pool;
    for (let i = 0; i < pool.length; i++) {
      const index = (this.poolIndex + i) % pool.length;
      const slot = pool[index]!;
      if (!slot.inFlight) {
        this.poolIndex = (index + 1) % pool.length;
        return slot;
      }
    }
    return this.addSlot();
  }

  /** RFC 4733 §2.5.1: while a digit is on, its packets replace audio, same tick rate. */
  private trySendDtmf(slot: SendSlot, samples: number): boolean {
    if (this.telephoneEventPt === undefined || this.dtmf.idle) return false;
    const frame = this.dtmf.nextFrame(this.header.timestamp);
    if (frame === undefined) return false;
    const audioTimestamp = this.header.timestamp;
    this.header.timestamp = frame.timestamp;
    this.header.marker = frame.marker;
    const headerLength = this.writeHeader(slot.buf, this.telephoneEventPt);
    this.header.timestamp = audioTimestamp;
    slot.buf.set(frame.payload, headerLength);
    this.transmit(slot, headerLength + frame.payload.length, frame.payload.length);
    this.header.timestamp = (this.header.timestamp + samples) >>> 0;
    // RFC 3551 §4.1: audio resuming after the event starts a new talkspurt.
    if (frame.last) this.header.marker = true;
    return true;
  }

  /** Write the header for the next packet; advances the sequence number, clears marker. */
  private writeHeader(buf: Uint8Array, payloadType: number): number {
    const h = this.header;
    h.payloadType = payloadType;
    const length = writeRtpHeader(buf, h);
    h.sequenceNumber = (h.sequenceNumber + 1) & 0xffff;
    h.marker = false;
    return length;
  }

  private transmit(slot: SendSlot, length: number, payloadLength: number): void {
    slot.inFlight = true;
    const to = this.destination;
    this.socket.send(slot.buf, 0, length, to.port, to.address, slot.done);
    this.stats.onSend(payloadLength);
  }
}
