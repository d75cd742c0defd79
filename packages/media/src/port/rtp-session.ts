/**
 * One RTP stream over UDP (node:dgram): G.711 audio plus RFC 4733 telephone-event, with
 * statistics and RTCP reports, and symmetric RTP.
 *
 * Symmetric RTP (RFC 4961's idea; what SBCs call "latching"): phones behind NAT put an
 * unreachable private address in their SDP, but their packets arrive from the NAT's
 * public mapping. On the first packet that fits the negotiated stream (a negotiated
 * payload type, and not our own SSRC) we switch our destination to the packet's source
 * address and port ('latched' event) and pin its SSRC.
 *
 * RTP bleed hardening and SSRC collisions (RFC 3550 §8.2) are decided in rtp-latch.ts:
 * once latched, other sources are dropped (`foreignDiscarded`) until the latched one has
 * been silent for `relatchAfterSilenceMs`; a new SSRC from the latched address is
 * followed and restarts statistics and DTMF state; our own SSRC coming back is a
 * collision the first time from an address (RTCP BYE, new SSRC), a loop after that
 * (`loopedPackets`).
 * {@link RtpSession.relatch} (after a re-INVITE) allows immediate latching again.
 * RTCP on its own socket latches only to the IP address RTP is latched to.
 *
 * The session never runs a timer: the owner calls {@link sendFrame} (or
 * {@link sendEncoded}) once per ptime from the shared MediaClock, and {@link poll} to age
 * out DTMF whose end packets were lost. RTCP is sent when the owner calls
 * {@link sendRtcpReport} (RFC 3550 §6.2 suggests ~5 s for a two-party call).
 *
 * RTCP: with rtcp-mux (RFC 5761) it shares the RTP socket and is told apart by packet
 * type (§4). Otherwise it has its own socket on the odd port above RTP (RFC 3550 §11),
 * from a {@link RtpPortAllocator} or `localPort + 1`, latched like RTP. Only when
 * neither is available (localPort 0 without an allocator — tests) does RTCP go out from
 * the RTP socket. Its destination, latching, reports and received compounds are
 * rtp-session-rtcp.ts's.
 */
import { randomInt } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { type DtmfDigitEvent, DtmfReceiver, type DtmfStartEvent } from '../dtmf/dtmf-receiver.ts';
import { G711_PAYLOAD_TYPE, type G711Law, g711Tables } from '../g711/g711-codec.ts';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { directionReceives, directionSends, type MediaDirection } from '../sdp/media-direction.ts';
import { looksLikeRtcp, type RtcpPacket } from '../rtcp/rtcp-packet.ts';
import { parseRtpPacket, RtpPacketView } from '../rtp/rtp-packet.ts';
import { RtpStreamStats } from '../rtp/rtp-stream-stats.ts';
import { bindUdpSocket } from './bind-udp-socket.ts';
import { SourceLatch, SsrcConflicts } from './rtp-latch.ts';
import type { RtpPortAllocator } from './rtp-port-allocator.ts';
import { MAX_RTP_PAYLOAD, RtpSender, type TransportAddress } from './rtp-sender.ts';
import { SessionRtcp } from './rtp-session-rtcp.ts';
import type { UdpBatch } from './udp-batch.ts';

/** Where to bind, for {@link RtpSession.open}. */
export interface RtpBindOptions {
  /** Local bind address (e.g. '127.0.0.1', '0.0.0.0', '::'). */
  localAddress: string;
  /** Local port, 0 for any free one (ignored with `portAllocator`). */
  localPort?: number;
  /** Take an even/odd RTP/RTCP port pair from the configured range. */
  portAllocator?: RtpPortAllocator;
}

export type RtpSessionOptions = RtpBindOptions & RtpStreamOptions;

/** The stream itself: peer, codec, payload types (from {@link NegotiatedAudio}). */
export interface RtpStreamOptions {
  remoteAddress: string;
  remotePort: number;
  /** RTCP destination port; default remotePort + 1, or remotePort with rtcpMux. */
  remoteRtcpPort?: number;
  rtcpMux?: boolean;
  codec: G711Law;
  /** Default: the static PT of the codec (0/8). */
  payloadType?: number;
  telephoneEventPt?: number;
  ptimeMs?: number;
  /**
   * Our negotiated direction (default sendrecv). Without "send", sendFrame/sendEncoded
   * are no-ops; without "receive", incoming audio and DTMF are counted but not delivered.
   * RTCP flows either way (RFC 3264 §5.1).
   */
  direction?: MediaDirection;
  /** Latch to the source of received RTP (default true). */
  symmetric?: boolean;
  /**
   * How long the latched source must have been silent before packets from another
   * transport address may take the stream over (default 500 ms). RTP bleed protection.
   */
  relatchAfterSilenceMs?: number;
  ssrc?: number;
  cname?: string;
  /** Monotonic ms clock (jitter, DTMF timing). Default performance.now. */
  now?: () => number;
  wallClockMs?: () => number;
  dtmfDurationMs?: number;
  /**
   * A worker's native send batch (port/udp-batch.ts): packets sent while it is open join
   * it; otherwise (or without it) they go through node:dgram.
   */
  batch?: UdpBatch | undefined;
}

export type RtpSessionEvents = {
  /**
   * Decoded audio of one received packet and its RTP timestamp (feed a JitterBuffer).
   * The buffer is reused for the next packet: consume or copy it synchronously.
   */
  audio: [samples: Int16Array, rtpTimestamp: number];
  /**
   * The still-encoded G.711 payload of each accepted audio packet, for relaying without
   * transcoding (`other.sendEncoded(datagram, offset, length)`). Valid synchronously only.
   */
  payload: [datagram: Uint8Array, offset: number, length: number];
  dtmf: [DtmfDigitEvent];
  dtmfStart: [DtmfStartEvent];
  latched: [TransportAddress];
  rtcp: [RtcpPacket[]];
  /** Socket errors; the session is still open (close it if the error is fatal). */
  error: [Error];
};

export class RtpSession extends EventEmitter<RtpSessionEvents> {
  private readonly socket: Socket;
  private readonly rtcpSocket: Socket | undefined;
  private ssrcValue: number;
  readonly codec: G711Law;
  readonly payloadType: number;
  readonly telephoneEventPt: number | undefined;
  readonly ptimeMs: number;
  readonly stats: RtpStreamStats;
  private readonly symmetric: boolean;
  private readonly rtcpMux: boolean;
  private remote: TransportAddress;
  /** RTCP destination, latching, reports and received compounds (rtp-session-rtcp.ts). */
  private readonly rtcp: SessionRtcp;
  /** Symmetric RTP with RTP bleed protection (port/rtp-latch.ts). */
  private readonly latch: SourceLatch;
  /** Transport addresses that sent our own SSRC (RFC 3550 §8.2 conflict list). */
  private readonly conflicts = new SsrcConflicts();
  private receiving = true;
  private readonly sender: RtpSender;
  private readonly decodeTable: Int16Array;
  private readonly view = new RtpPacketView();
  private readonly decoded = new Int16Array(MAX_RTP_PAYLOAD);
  private decodedView: Int16Array = this.decoded.subarray(0, 160);
  private readonly dtmfReceiver: DtmfReceiver;
  private closed = false;
  /** Datagrams dropped: not RTP, wrong payload type, our own SSRC, or a foreign source. */
  discarded = 0;
  /** Of {@link discarded}: RTP from another transport address while latched (RTP bleed). */
  foreignDiscarded = 0;
  /** Of {@link discarded}: packets carrying our own SSRC from a known conflicting address. */
  loopedPackets = 0;
  /** SSRC collisions we resolved by choosing a new SSRC (RFC 3550 §8.2). */
  ssrcCollisions = 0;

  private constructor(socket: Socket, rtcpSocket: Socket | undefined, options: RtpStreamOptions) {
    super();
    this.socket = socket;
    this.rtcpSocket = rtcpSocket;
    this.codec = options.codec;
    this.payloadType = options.payloadType ?? G711_PAYLOAD_TYPE[options.codec];
    this.telephoneEventPt = options.telephoneEventPt;
    this.ptimeMs = options.ptimeMs ?? 20;
    this.symmetric = options.symmetric ?? true;
    this.ssrcValue = (options.ssrc ?? randomInt(0, 0x1_0000_0000 - 1)) >>> 0;
    this.rtcpMux = options.rtcpMux ?? false;
    this.remote = { address: options.remoteAddress, port: options.remotePort };
    const now = options.now ?? (() => performance.now());
    this.latch = new SourceLatch(options.relatchAfterSilenceMs ?? 500, now);
    this.stats = new RtpStreamStats({
      now,
      ptimeMs: this.ptimeMs,
      ...(options.wallClockMs ? { wallClockMs: options.wallClockMs } : {}),
    });
    this.sender = new RtpSender({
      socket,
      destination: this.remote,
      codec: this.codec,
      payloadType: this.payloadType,
      telephoneEventPt: this.telephoneEventPt,
      ssrc: this.ssrcValue,
      ptimeMs: this.ptimeMs,
      stats: this.stats,
      ...(options.dtmfDurationMs ? { dtmfDurationMs: options.dtmfDurationMs } : {}),
      batch: options.batch,
    });
    this.setDirection(options.direction ?? 'sendrecv');
    this.decodeTable = g711Tables(this.codec).decode;
    this.rtcp = new SessionRtcp({
      socket: rtcpSocket ?? socket,
      cname: options.cname ?? `uketsuke-${this.ssrcValue.toString(16)}`,
      stats: this.stats,
      sender: this.sender,
      batch: options.batch,
      address: options.remoteAddress,
      port: options.remoteRtcpPort ?? (this.rtcpMux ? options.remotePort : options.remotePort + 1),
    });
    this.dtmfReceiver = new DtmfReceiver({ now });
    this.dtmfReceiver.on('digit', (d) => this.emit('dtmf', d));
    this.dtmfReceiver.on('start', (d) => this.emit('dtmfStart', d));
    socket.on('message', this.onMessage);
    socket.on('error', (error) => this.emit('error', error));
    rtcpSocket?.on('message', this.onRtcpMessage);
    rtcpSocket?.on('error', (error) => this.emit('error', error));
  }

  /** Bind the UDP socket(s) and create the session. */
  static async open(options: RtpSessionOptions): Promise<RtpSession> {
    const mux = options.rtcpMux ?? false;
    if (options.portAllocator) {
      const pair = await options.portAllocator.allocate(options.localAddress);
      if (mux) pair.rtcp.close();
      return new RtpSession(pair.rtp, mux ? undefined : pair.rtcp, options);
    }
    const port = options.localPort ?? 0;
    const rtp = await bindUdpSocket(options.localAddress, port);
    let rtcp: Socket | undefined;
    if (!mux && port !== 0) {
      try {
        rtcp = await bindUdpSocket(options.localAddress, port + 1);
      } catch (error) {
        rtp.close();
        throw error;
      }
    }
    return new RtpSession(rtp, rtcp, options);
  }

  /**
   * Create the session on sockets bound earlier — the usual order for a UAS: allocate a
   * port pair, answer the offer with its port, then start the stream. The session takes
   * ownership of the sockets (closes them in {@link close}).
   */
  static attach(
    sockets: { rtp: Socket; rtcp?: Socket | undefined },
    options: RtpStreamOptions,
  ): RtpSession {
    let rtcp = sockets.rtcp;
    if (options.rtcpMux && rtcp !== undefined) {
      rtcp.close();
      rtcp = undefined;
    }
    return new RtpSession(sockets.rtp, rtcp, options);
  }

  /** Our SSRC; changes only after an SSRC collision (RFC 3550 §8.2). */
  get ssrc(): number {
    return this.ssrcValue;
  }

  /** The SSRC of the stream we latched to, once latched. */
  get remoteSsrc(): number | undefined {
    return this.latch.pinnedSsrc;
  }

  /** Times the remote SSRC changed on the latched source (accepted, re-pinned). */
  get remoteSsrcChanges(): number {
    return this.latch.remoteSsrcChanges;
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  /** Where RTP currently goes (the latched source once latched). */
  get remoteAddress(): TransportAddress {
    return { ...this.remote };
  }

  get isLatched(): boolean {
    return this.latch.latched;
  }

  /** New remote from a re-INVITE: send there and allow latching again. */
  relatch(remote?: TransportAddress & { rtcpPort?: number }): void {
    if (remote) {
      this.setRemote(remote.address, remote.port);
      this.rtcp.setDestination(
        remote.address,
        remote.rtcpPort ?? (this.rtcpMux ? remote.port : remote.port + 1),
      );
    }
    this.latch.reset();
    this.rtcp.latched = false;
  }

  /** Apply a renegotiated direction (hold / resume after a re-INVITE). */
  setDirection(direction: MediaDirection): void {
    this.sender.sending = directionSends(direction);
    this.receiving = directionReceives(direction);
  }

  /** Queue DTMF digits; they replace audio packets on the next ticks (RFC 4733 §2.5.1). */
  sendDtmf(digits: string): void {
    this.sender.enqueueDtmf(digits);
  }

  /**
   * Send one ptime of 16-bit PCM (ptime × 8 samples). If a digit is being sent, the
   * telephone-event packet goes out instead, and the audio timestamp keeps advancing.
   */
  sendFrame(pcm: Int16Array): void {
    this.assertOpen();
    this.sender.sendFrame(pcm);
  }

  /**
   * Send already-encoded G.711 bytes in the session's law (from a PlayerPort, or relayed
   * from another session's 'payload' event).
   */
  sendEncoded(payload: Uint8Array, offset = 0, length = payload.length - offset): void {
    this.assertOpen();
    this.sender.sendEncoded(payload, offset, length);
  }

  /** True when this stream is registered with a native send batch. */
  get batched(): boolean {
    return this.sender.batched;
  }

  /** Send errors reported by dgram callbacks or refused batched datagrams. */
  get sendErrors(): number {
    return this.sender.sendErrors;
  }

  /** Age out DTMF whose end packets were lost. Call on media clock ticks. */
  poll(): void {
    this.dtmfReceiver.poll();
  }

  /**
   * Send SR (+ report block when receiving) + SDES CNAME (RFC 3550 §6.1 compound). Inside
   * an open native batch (a clock tick) the periodic report is written straight into it
   * and leaves with the tick's RTP: no allocation. BYE, or no batch: through dgram.
   */
  sendRtcpReport(bye?: { reason?: string }): void {
    if (this.closed) return;
    this.rtcp.send(this.ssrcValue, bye);
  }

  /** Close the socket. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sender.close(); // leave the native batch before the fd is closed
    this.rtcp.close();
    this.socket.off('message', this.onMessage);
    this.socket.close();
    this.rtcpSocket?.off('message', this.onRtcpMessage);
    this.rtcpSocket?.close();
    this.dtmfReceiver.removeAllListeners();
  }

  private setRemote(address: string, port: number): void {
    this.remote = { address, port };
    this.sender.destination = this.remote;
  }

  private assertOpen(): void {
    if (this.closed) throw new MediaError(MediaErrorCode.Closed, 'RTP session is closed');
  }

  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (looksLikeRtcp(msg)) {
      this.onRtcp(msg);
      return;
    }
    const v = this.view;
    if (parseRtpPacket(msg, v) !== 'ok') {
      this.discarded++;
      return;
    }
    const isAudio = v.payloadType === this.payloadType;
    const isEvent = this.telephoneEventPt !== undefined && v.payloadType === this.telephoneEventPt;
    if (!isAudio && !isEvent) {
      this.discarded++;
      return;
    }
    if (v.ssrc === this.ssrcValue) {
      this.onOwnSsrc(rinfo);
      return;
    }
    if (this.symmetric && !this.acceptSource(rinfo, v.ssrc)) {
      this.discarded++;
      this.foreignDiscarded++;
      return;
    }
    if (v.ssrc !== this.stats.remoteSsrc && this.stats.remoteSsrc !== undefined) {
      this.dtmfReceiver.reset(); // new source: its event timestamps start afresh
    }
    if (this.stats.onReceive(v) === 'bad' || !this.receiving) return;
    this.dtmfReceiver.poll();
    if (isEvent) {
      this.dtmfReceiver.receive(v.timestamp, v.marker, msg, v.payloadOffset, v.payloadLength);
      return;
    }
    if (this.listenerCount('payload') > 0) {
      this.emit('payload', msg, v.payloadOffset, v.payloadLength);
    }
    if (this.listenerCount('audio') === 0) return; // e.g. a pure relay: skip decoding
    const n = Math.min(v.payloadLength, MAX_RTP_PAYLOAD);
    const dec = this.decodeTable;
    const out = this.decoded;
    for (let i = 0; i < n; i++) out[i] = dec[msg[v.payloadOffset + i]!]!;
    if (this.decodedView.length !== n) this.decodedView = out.subarray(0, n);
    this.emit('audio', this.decodedView, v.timestamp);
  };

  /**
   * Symmetric RTP with RTP bleed protection (see the file comment). Returns false when
   * the packet comes from a source that may not (yet) take the stream.
   */
  private acceptSource(rinfo: RemoteInfo, ssrc: number): boolean {
    const decision = this.latch.judge(rinfo, ssrc, this.remote);
    if (decision !== 'latched') return decision === 'accept';
    if (rinfo.address !== this.remote.address || rinfo.port !== this.remote.port) {
      this.setRemote(rinfo.address, rinfo.port);
      if (this.rtcpMux) this.rtcp.setDestination(rinfo.address, rinfo.port);
    }
    // RTCP follows RTP to its host; its port is learnt again from the next report.
    if (!this.rtcpMux) this.rtcp.followRtpHost(rinfo.address);
    this.emit('latched', { address: rinfo.address, port: rinfo.port });
    return true;
  }

  /**
   * A packet with our own SSRC (RFC 3550 §8.2): the first time from a transport address
   * it is a collision — say BYE for the old SSRC and pick a new one; from an address
   * already in the conflict list it is our own traffic looping back — drop it.
   */
  private onOwnSsrc(rinfo: RemoteInfo): void {
    this.discarded++;
    if (this.conflicts.note(rinfo) === 'loop') {
      this.loopedPackets++;
      return;
    }
    this.ssrcCollisions++;
    this.sendRtcpReport({ reason: 'SSRC collision' });
    let next = randomInt(0, 0x1_0000_0000 - 1) >>> 0;
    while (next === this.ssrcValue || next === this.latch.pinnedSsrc) {
      next = randomInt(0, 0x1_0000_0000 - 1) >>> 0;
    }
    this.ssrcValue = next;
    this.sender.ssrc = next;
  }

  /** RTCP on its own socket: latch its source like RTP (same IP as RTP), then handle it. */
  private readonly onRtcpMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (!looksLikeRtcp(msg)) {
      this.discarded++;
      return;
    }
    const rtpHost = this.latch.latched ? this.remote.address : undefined;
    if (this.symmetric && !this.rtcp.accept(rinfo, rtpHost)) {
      this.discarded++;
      this.foreignDiscarded++;
      return;
    }
    this.onRtcp(msg);
  };

  private onRtcp(msg: Uint8Array): void {
    const packets = this.rtcp.receive(msg, this.ssrc);
    if (packets === undefined) {
      this.discarded++;
      return;
    }
    this.emit('rtcp', packets);
  }
}
