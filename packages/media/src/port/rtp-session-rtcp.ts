/**
 * The RTCP side of an {@link RtpSession} (RFC 3550 §6), one per session:
 *
 * - where reports go: the odd port above the peer's RTP port (RFC 3550 §11), the RTP
 *   port itself with rtcp-mux (RFC 5761), or what the peer's RTCP latched to. On its own
 *   socket RTCP latches only to the host RTP is latched to ({@link accept}); when RTP
 *   latches to another host, RTCP follows it and learns its port again from the next
 *   report ({@link followRtpHost});
 * - sending the SR/RR + SDES CNAME compound (§6.1), plus BYE when asked (§6.6): the
 *   periodic report is written in place into the worker's native batch when one is open
 *   (rtcp-batch-reporter.ts), anything else is serialized and sent through dgram;
 * - reading a received compound into the stream statistics (SR sender info and the
 *   report blocks about our SSRC: round-trip time, the peer's view of our loss).
 *
 * The session owns the sockets and the counters; this never allocates per RTP packet.
 */
import type { Socket } from 'node:dgram';
import {
  parseRtcpCompound,
  type RtcpPacket,
  SDES_ITEM,
  serializeRtcpCompound,
} from '../rtcp/rtcp-packet.ts';
import type { RtpStreamStats } from '../rtp/rtp-stream-stats.ts';
import { RtcpBatchReporter } from './rtcp-batch-reporter.ts';
import type { RtpSender } from './rtp-sender.ts';
import type { UdpBatch } from './udp-batch.ts';

export interface SessionRtcpOptions {
  /** The socket reports leave from: the RTCP socket, else the RTP one. */
  socket: Socket;
  cname: string;
  stats: RtpStreamStats;
  /** The session's sender: RTP timestamp for SR sender info, and its `sendErrors`. */
  sender: RtpSender;
  /** The worker's native send batch, when there is one. */
  batch: UdpBatch | undefined;
  /** Initial destination of reports. */
  address: string;
  port: number;
}

export class SessionRtcp {
  private readonly socket: Socket;
  private readonly cname: string;
  private readonly stats: RtpStreamStats;
  private readonly sender: RtpSender;
  /** Periodic reports through the worker's native batch, when there is one. */
  private readonly reporter: RtcpBatchReporter | undefined;
  private addressValue: string;
  private portValue: number;
  /** The peer's RTCP source has been latched (own RTCP socket, symmetric). */
  latched = false;
  private closed = false;

  constructor(options: SessionRtcpOptions) {
    this.socket = options.socket;
    this.cname = options.cname;
    this.stats = options.stats;
    this.sender = options.sender;
    this.addressValue = options.address;
    this.portValue = options.port;
    if (options.batch !== undefined) {
      this.reporter = new RtcpBatchReporter(
        options.batch,
        options.socket,
        options.cname,
        () => this.sender.sendErrors++,
      );
      this.reporter.setDestination(this.addressValue, this.portValue);
    }
  }

  /** Where reports go now. */
  get address(): string {
    return this.addressValue;
  }

  get port(): number {
    return this.portValue;
  }

  /** Send reports to `address`:`port` from now on. */
  setDestination(address: string, port: number): void {
    if (address === this.addressValue && port === this.portValue) return;
    this.addressValue = address;
    this.portValue = port;
    if (!this.closed) this.reporter?.setDestination(address, port);
  }

  /**
   * RTP latched to `host` (own RTCP socket): RTCP follows it to that host; its port is
   * learnt again from the next report.
   */
  followRtpHost(host: string): void {
    if (this.addressValue === host) return;
    this.latched = false;
    this.setDestination(host, this.portValue);
  }

  /**
   * Symmetric RTCP on its own socket: may a datagram from `from` be taken? Before
   * latching, only from where RTP comes from once RTP has latched (`rtpHost`; undefined
   * while it has not) — RFC 3550 §11: same host — and the first one latches; after that,
   * only from the latched transport address.
   */
  accept(from: { address: string; port: number }, rtpHost: string | undefined): boolean {
    if (!this.latched) {
      if (rtpHost !== undefined && from.address !== rtpHost) return false;
      this.latched = true;
      this.setDestination(from.address, from.port);
      return true;
    }
    return from.address === this.addressValue && from.port === this.portValue;
  }

  /**
   * Send SR (+ report block when receiving) + SDES CNAME (RFC 3550 §6.1 compound) for
   * `ssrc`. Inside an open native batch (a clock tick) the periodic report is written
   * straight into it and leaves with the tick's RTP: no allocation. BYE, or no batch:
   * through dgram.
   */
  send(ssrc: number, bye?: { reason?: string }): void {
    if (bye === undefined && this.reporter?.trySend(this.stats, ssrc, this.sender.timestamp)) {
      return;
    }
    const block = this.stats.buildReportBlock();
    const packets: RtcpPacket[] = [];
    if (this.stats.packetsSent > 0) {
      packets.push({
        ...this.stats.senderInfo(ssrc, this.sender.timestamp),
        reports: block ? [block] : [],
      });
    } else {
      packets.push({ type: 'rr', ssrc, reports: block ? [block] : [] });
    }
    packets.push({
      type: 'sdes',
      chunks: [{ ssrc, items: [{ type: SDES_ITEM.CNAME, text: this.cname }] }],
    });
    if (bye)
      packets.push({
        type: 'bye',
        ssrcs: [ssrc],
        ...(bye.reason ? { reason: bye.reason } : {}),
      });
    const bytes = serializeRtcpCompound(packets);
    this.socket.send(bytes, this.portValue, this.addressValue, this.onSent);
  }

  /**
   * A received compound: sender info and the report blocks about `ssrc` (ours) go into
   * the statistics. Undefined when it does not parse (the session counts it discarded).
   */
  receive(msg: Uint8Array, ssrc: number): RtcpPacket[] | undefined {
    let packets: RtcpPacket[];
    try {
      packets = parseRtcpCompound(msg);
    } catch {
      return undefined;
    }
    for (const p of packets) {
      if (p.type === 'sr') {
        this.stats.onSenderReport(p);
        for (const b of p.reports) if (b.ssrc === ssrc) this.stats.onReportBlock(b);
      } else if (p.type === 'rr') {
        for (const b of p.reports) if (b.ssrc === ssrc) this.stats.onReportBlock(b);
      }
    }
    return packets;
  }

  /** Leave the native batch (before the socket closes). Safe to call twice. */
  close(): void {
    this.closed = true;
    this.reporter?.close();
  }

  private readonly onSent = (error: Error | null): void => {
    if (error) this.sender.sendErrors++;
  };
}
