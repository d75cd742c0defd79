/**
 * Statistics of one RTP stream pair (what we receive from one remote SSRC and what we send),
 * feeding RTCP reports (RFC 3550 §6.4) and a quality snapshot for the call record.
 *
 * Time is injected: `now()` is a monotonic millisecond clock (arrival times, DLSR) and
 * `wallClockMs()` the Unix time used for NTP timestamps in SRs.
 */
import type { RtcpReportBlock, RtcpSenderReport } from '../rtcp/rtcp-packet.ts';
import {
  msToNtpShort,
  ntpFractionFromUnixMs,
  ntpFromUnixMs,
  ntpMiddle32,
  ntpSecondsFromUnixMs,
  ntpShortToMs,
} from '../rtcp/ntp-time.ts';
import { RtcpReportFields } from '../rtcp/rtcp-report-writer.ts';
import { estimateMos, G711_BPL_NO_PLC } from './e-model.ts';
import type { RtpPacketView } from './rtp-packet.ts';
import {
  clampCumulativeLost,
  RtpSourceState,
  type RtpSequenceVerdict,
} from './rtp-source-state.ts';

/** 5 ms in 1/65536 s units. */
const RTT_GRANULARITY_SLACK = Math.ceil(0.005 * 65536);

export interface RtpStreamStatsOptions {
  /** RTP clock rate of the stream (8000 for G.711). */
  clockRate?: number;
  /** Packetization interval, for the E-model delay estimate. */
  ptimeMs?: number;
  /** Codec packet-loss robustness for the E-model (G.711 without PLC by default). */
  bpl?: number;
  now: () => number;
  wallClockMs?: () => number;
}

export interface RtpStreamSnapshot {
  /** Packets / payload octets received from the remote source. */
  packets: number;
  octets: number;
  /** Cumulative packets lost (§A.3), never negative here. */
  lost: number;
  /** Loss over everything expected so far, 0..1. */
  lossRatio: number;
  /** Interarrival jitter (§A.8) in milliseconds. */
  jitterMs: number;
  /** Round-trip time from the remote's report blocks (§6.4.1), when known. */
  rttMs: number | undefined;
  packetsSent: number;
  octetsSent: number;
  /** Estimated MOS-CQE, see e-model.ts for the formula and its assumptions. */
  mos: number;
}

export class RtpStreamStats {
  readonly clockRate: number;
  private readonly ptimeMs: number;
  private readonly bpl: number;
  private readonly now: () => number;
  private readonly wallClockMs: () => number;

  private source: RtpSourceState | undefined;
  /** SSRC of the remote source we are tracking. */
  remoteSsrc: number | undefined;
  private packets = 0;
  private octets = 0;
  packetsSent = 0;
  octetsSent = 0;
  private lastSrMiddle = 0;
  private lastSrArrivalMs = 0;
  private rttMs: number | undefined;

  constructor(options: RtpStreamStatsOptions) {
    this.clockRate = options.clockRate ?? 8000;
    this.ptimeMs = options.ptimeMs ?? 20;
    this.bpl = options.bpl ?? G711_BPL_NO_PLC;
    this.now = options.now;
    this.wallClockMs = options.wallClockMs ?? Date.now;
  }

  /**
   * Account a received packet. A new SSRC restarts the statistics (a re-INVITE or a
   * B2BUA switching legs changes the source). Returns the §A.1 verdict: only 'valid' and
   * 'duplicate-or-late' packets should be played out.
   */
  onReceive(packet: RtpPacketView): RtpSequenceVerdict {
    if (this.source === undefined || packet.ssrc !== this.remoteSsrc) {
      this.source = new RtpSourceState(packet.sequenceNumber);
      this.remoteSsrc = packet.ssrc;
      this.packets = 0;
      this.octets = 0;
      this.lastSrMiddle = 0;
    }
    const verdict = this.source.update(packet.sequenceNumber);
    this.packets++;
    this.octets += packet.payloadLength;
    this.source.updateJitter(packet.timestamp, (this.now() * this.clockRate) / 1000);
    return verdict;
  }

  /** Record an SR from the remote: its NTP time becomes LSR in our next report block. */
  onSenderReport(sr: RtcpSenderReport): void {
    if (this.remoteSsrc !== undefined && sr.ssrc !== this.remoteSsrc) return;
    this.lastSrMiddle = ntpMiddle32({ seconds: sr.ntpSeconds, fraction: sr.ntpFraction });
    this.lastSrArrivalMs = this.now();
  }

  /**
   * A report block about *our* stream: RTT = A − LSR − DLSR (§6.4.1), A being the
   * arrival time in the same 16.16 NTP format.
   */
  onReportBlock(block: RtcpReportBlock): void {
    if (block.lastSr === 0) return;
    const arrival = ntpMiddle32(ntpFromUnixMs(this.wallClockMs()));
    const rtt = (arrival - block.lastSr - block.delaySinceLastSr) | 0;
    // Slightly negative: the wall clock's millisecond granularity on a very short path
    // (the peer's DLSR is finer than our Date.now) — call it 0. Very negative: the
    // report is stale or garbage — ignore it.
    if (rtt >= 0) this.rttMs = ntpShortToMs(rtt);
    else if (rtt > -RTT_GRANULARITY_SLACK) this.rttMs = 0;
  }

  onSend(payloadLength: number): void {
    this.packetsSent++;
    this.octetsSent += payloadLength;
  }

  /** Report block for our next SR/RR, or undefined before the source is valid. */
  buildReportBlock(): RtcpReportBlock | undefined {
    const f = new RtcpReportFields();
    return this.fillBlock(f) ? { ...f.block } : undefined;
  }

  /** Sender info for an SR (§6.4.1) given the RTP timestamp that corresponds to "now". */
  senderInfo(ssrc: number, rtpTimestamp: number): Omit<RtcpSenderReport, 'reports'> {
    const wall = this.wallClockMs();
    return {
      type: 'sr',
      ssrc,
      ntpSeconds: ntpSecondsFromUnixMs(wall),
      ntpFraction: ntpFractionFromUnixMs(wall),
      rtpTimestamp: rtpTimestamp >>> 0,
      packetCount: this.packetsSent >>> 0,
      octetCount: this.octetsSent >>> 0,
    };
  }

  /**
   * Everything our next periodic report carries, in place (rtcp-report-writer.ts): SR
   * sender info once we have sent, and the report block once the source is valid
   * (taking the interval's loss, like {@link buildReportBlock}).
   */
  fillReport(out: RtcpReportFields, ssrc: number, rtpTimestamp: number): void {
    out.ssrc = ssrc >>> 0;
    out.sender = this.packetsSent > 0;
    if (out.sender) {
      const wall = this.wallClockMs();
      out.ntpSeconds = ntpSecondsFromUnixMs(wall);
      out.ntpFraction = ntpFractionFromUnixMs(wall);
      out.rtpTimestamp = rtpTimestamp >>> 0;
      out.packetCount = this.packetsSent >>> 0;
      out.octetCount = this.octetsSent >>> 0;
    }
    out.hasBlock = this.fillBlock(out);
  }

  private fillBlock(out: RtcpReportFields): boolean {
    const s = this.source;
    if (s === undefined || this.remoteSsrc === undefined || s.probation > 0) return false;
    const b = out.block;
    b.ssrc = this.remoteSsrc;
    b.fractionLost = s.takeFractionLost();
    b.cumulativeLost = clampCumulativeLost(s.cumulativeLost);
    b.extendedHighestSeq = s.extendedMaxSeq >>> 0;
    b.jitter = Math.floor(s.jitter) >>> 0;
    b.lastSr = this.lastSrMiddle;
    b.delaySinceLastSr =
      this.lastSrMiddle === 0 ? 0 : msToNtpShort(this.now() - this.lastSrArrivalMs);
    return true;
  }

  snapshot(): RtpStreamSnapshot {
    const s = this.source;
    const expected = s === undefined ? 0 : Math.max(0, s.expected);
    const lost = s === undefined ? 0 : Math.max(0, s.cumulativeLost);
    const lossRatio = expected > 0 ? Math.min(1, lost / expected) : 0;
    const jitterMs = s === undefined ? 0 : (s.jitter * 1000) / this.clockRate;
    // Mouth-to-ear estimate: half the RTT (or nothing if unknown), a jitter buffer of
    // twice the jitter, one packetization interval and ~10 ms of codec/device latency.
    const oneWayDelayMs = (this.rttMs ?? 0) / 2 + 2 * jitterMs + this.ptimeMs + 10;
    return {
      packets: this.packets,
      octets: this.octets,
      lost,
      lossRatio,
      jitterMs,
      rttMs: this.rttMs,
      packetsSent: this.packetsSent,
      octetsSent: this.octetsSent,
      mos: estimateMos({ oneWayDelayMs, packetLossPercent: lossRatio * 100, bpl: this.bpl }),
    };
  }
}
