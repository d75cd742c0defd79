/**
 * The sending half of an {@link RtpSession}: RTP header state (RFC 3550 §5.1), G.711
 * encoding straight into pooled datagram buffers, and RFC 4733 digits taking the place
 * of audio packets while they are sent.
 */
import { randomInt } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { DtmfSender } from '../dtmf/dtmf-sender.ts';
import { type G711Law, g711Tables } from '../g711/g711-codec.ts';
import { isIP } from 'node:net';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { RTP_HEADER_SIZE, type RtpHeaderFields, writeRtpHeader } from '../rtp/rtp-packet.ts';
import type { RtpStreamStats } from '../rtp/rtp-stream-stats.ts';
import { sendsSynchronously } from './bind-udp-socket.ts';
import type { UdpBatch, UdpBatchOwner } from './udp-batch.ts';

/** Buffer#copy works on any Uint8Array: a native copy without a subarray per packet. */
const copyBytes = Buffer.prototype.copy;

export interface TransportAddress {
  address: string;
  port: number;
}

/** Largest payload we send or decode: 60 ms of G.711. */
export const MAX_RTP_PAYLOAD = 480;

/**
 * Send buffers are pooled. On sockets from bindUdpSocket (synchronous lookup of IP
 * literals) a send normally completes inside `socket.send` (libuv tries the sendto at
 * once), so the same buffer is reused for the next packet without a callback, a closure
 * call or a deferred tick per packet. Only when the kernel queue was full does dgram keep
 * the buffer (the socket's send queue count is then non-zero): the slot stays busy until
 * that queue has drained. Other sockets (or a host-name destination, resolved
 * asynchronously) use the send callback to release the slot. The pool grows if a burst
 * finds every slot busy — no allocation in steady state.
 */
const INITIAL_SEND_POOL = 2;

interface SendSlot {
  readonly buf: Uint8Array;
  /** Buffer view of `buf` for the last datagram length (send without offset/length). */
  view: Buffer;
  /** Handed to dgram with a callback that has not run yet. */
  inFlight: boolean;
  /** Queued by dgram on the fast path (kernel buffer was full). */
  queued: boolean;
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
  /**
   * The worker's native batch (port/udp-batch.ts): while it is open (a clock sub-tick),
   * packets join it instead of going through dgram one by one.
   */
  batch?: UdpBatch | undefined;
}

export class RtpSender implements UdpBatchOwner {
  private readonly socket: Socket;
  private destinationValue: TransportAddress;
  /** Sends complete synchronously (see INITIAL_SEND_POOL): no per-packet callback. */
  private syncSocket: boolean;
  private fastPath: boolean;
  /** Some slot waits for the socket's send queue to drain. */
  private queuedSlots = false;
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
  /** The slot used last: reused at once when its send completed synchronously. */
  private lastSlot = 0;
  private readonly dtmf: DtmfSender;
  private readonly batch: UdpBatch | undefined;
  /** Our slot in {@link batch}, -1 when not registered (no batch, host name, closed). */
  private batchSlot = -1;
  private closed = false;

  constructor(options: RtpSenderOptions) {
    this.socket = options.socket;
    this.syncSocket = sendsSynchronously(options.socket);
    this.destinationValue = options.destination;
    this.fastPath = this.syncSocket && isIP(options.destination.address) !== 0;
    this.batch = options.batch;
    this.registerBatch();
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

  /** Where packets go; replaced by the session when it latches. */
  get destination(): TransportAddress {
    return this.destinationValue;
  }

  set destination(to: TransportAddress) {
    this.destinationValue = to;
    this.fastPath = this.syncSocket && isIP(to.address) !== 0;
    // Latching (RFC 4961 symmetric RTP) or a re-INVITE: the native table follows.
    if (this.batchSlot >= 0 && this.batch !== undefined) {
      // update() releases the slot itself when the new address cannot be sent natively.
      const kept =
        this.fastPath && this.batch.update(this.batchSlot, this.socket, to.address, to.port);
      if (!kept) {
        this.batch.release(this.batchSlot);
        this.batchSlot = -1;
      }
    } else {
      this.registerBatch();
    }
  }

  /** True while packets go through the native batch when it is open. */
  get batched(): boolean {
    return this.batchSlot >= 0;
  }

  /** Leave the native batch; call before the socket closes (its fd may be reused). */
  close(): void {
    this.closed = true;
    if (this.batchSlot >= 0) this.batch?.release(this.batchSlot);
    this.batchSlot = -1;
  }

  /** UdpBatchOwner: the kernel refused one of our batched datagrams (dropped). */
  onSendFailed(_errno: number): void {
    this.sendErrors++;
  }

  private registerBatch(): void {
    if (this.batch === undefined || !this.fastPath || this.closed) return;
    const to = this.destinationValue;
    this.batchSlot = this.batch.register(this.socket, to.address, to.port, this);
  }

  /** Our SSRC; the session changes it after an SSRC collision (RFC 3550 §8.2). */
  get ssrc(): number {
    return this.header.ssrc;
  }

  set ssrc(value: number) {
    this.header.ssrc = value >>> 0;
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
    const batch = this.batch;
    if (this.batchSlot >= 0 && batch !== undefined && batch.collecting && this.dtmf.idle) {
      // Built in place in the open native batch: no pooled slot, no second copy.
      const n = Math.min(length, MAX_RTP_PAYLOAD);
      const at = batch.reserve(RTP_HEADER_SIZE + n);
      const buf = batch.buffer;
      const headerLength = this.writeHeader(buf, this.payloadType, at);
      copyBytes.call(payload, buf, at + headerLength, offset, offset + n);
      batch.commit(this.batchSlot, at, headerLength + n);
      this.stats.onSend(n);
      this.header.timestamp = (this.header.timestamp + n) >>> 0;
      return;
    }
    const slot = this.nextSlot();
    if (this.trySendDtmf(slot, length)) return;
    const buf = slot.buf;
    const n = Math.min(length, MAX_RTP_PAYLOAD);
    const headerLength = this.writeHeader(buf, this.payloadType);
    copyBytes.call(payload, buf, headerLength, offset, offset + n); // native memcpy
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
    const buf = new Uint8Array(RTP_HEADER_SIZE + MAX_RTP_PAYLOAD);
    const slot: SendSlot = {
      buf,
      view: Buffer.from(buf.buffer, buf.byteOffset, RTP_HEADER_SIZE + 160),
      inFlight: false,
      queued: false,
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
    if (this.queuedSlots && this.socket.getSendQueueCount() === 0) {
      // Everything dgram had queued has been sent: those buffers are ours again.
      this.queuedSlots = false;
      for (const slot of pool) slot.queued = false;
    }
    // Fast path: sends completed synchronously, so the same buffer is free again.
    const last = pool[this.lastSlot]!;
    if (!last.inFlight && !last.queued) return last;
    for (let i = 0; i < pool.length; i++) {
      const index = (this.poolIndex + i) % pool.length;
      const slot = pool[index]!;
      if (!slot.inFlight && !slot.queued) {
        this.poolIndex = (index + 1) % pool.length;
        this.lastSlot = index;
        return slot;
      }
    }
    this.lastSlot = pool.length;
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
  private writeHeader(buf: Uint8Array, payloadType: number, at = 0): number {
    const h = this.header;
    h.payloadType = payloadType;
    const length = writeRtpHeader(buf, h, at);
    h.sequenceNumber = (h.sequenceNumber + 1) & 0xffff;
    h.marker = false;
    return length;
  }

  private transmit(slot: SendSlot, length: number, payloadLength: number): void {
    const to = this.destinationValue;
    const batch = this.batch;
    if (this.batchSlot >= 0 && batch !== undefined && batch.collecting) {
      batch.add(this.batchSlot, slot.buf, length); // copied: the slot is free again at once
    } else if (this.fastPath) {
      let view = slot.view;
      if (view.length !== length) {
        view = Buffer.from(slot.buf.buffer, slot.buf.byteOffset, length);
        slot.view = view;
      }
      // Send errors are not reported without a callback (dgram drops them); RTCP and
      // the callback path still count them in sendErrors.
      this.socket.send(view, to.port, to.address);
      if (this.socket.getSendQueueCount() > 0) {
        slot.queued = true; // queued, not sent: dgram still holds the buffer
        this.queuedSlots = true;
      }
    } else {
      slot.inFlight = true;
      this.socket.send(slot.buf, 0, length, to.port, to.address, slot.done);
    }
    this.stats.onSend(payloadLength);
  }
}
