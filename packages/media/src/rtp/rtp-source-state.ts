/**
 * Per-source receive state of RFC 3550 Appendix A: sequence-number extension and source
 * validation (§A.1), loss accounting (§A.3) and interarrival jitter (§A.8).
 *
 * Probation state machine (§A.1), one guarded transition per packet in {@link update}:
 *
 *   probation ──(MIN_SEQUENTIAL in-order packets)──▶ valid
 *       ▲                                               │
 *       └────(two in-order packets after a big jump: source restarted, resync)─┘
 */

/** §A.1: a jump larger than this is treated as a restart/resync, not as loss. */
export const MAX_DROPOUT = 3000;
/** §A.1: a packet this far behind is a late duplicate/misordered, accepted as such. */
export const MAX_MISORDER = 100;
/** §A.1: sequential packets needed before a new source is declared valid. */
export const MIN_SEQUENTIAL = 2;

const RTP_SEQ_MOD = 0x10000;

/** Outcome of {@link RtpSourceState.update}. 'probation' and 'bad' packets are not played. */
export type RtpSequenceVerdict = 'valid' | 'probation' | 'bad' | 'duplicate-or-late';

/** Snapshot of loss since the previous {@link RtpSourceState.takeIntervalLoss} (§A.3). */
export interface RtpIntervalLoss {
  /** 8-bit fixed point fraction lost in the interval, 0..255 (§6.4.1 "fraction lost"). */
  fractionLost: number;
  expectedInterval: number;
  lostInterval: number;
}

export class RtpSourceState {
  /** Highest sequence number seen (16 bits). */
  maxSeq = 0;
  /** Shifted count of sequence number wraparounds (multiples of 65536). */
  cycles = 0;
  baseSeq = 0;
  /** The sequence number after a big jump; a second in-order packet confirms a restart. */
  badSeq = RTP_SEQ_MOD + 1;
  probation = MIN_SEQUENTIAL;
  /** Packets received and accepted (§A.3 "received" — duplicates count, as in the RFC). */
  received = 0;
  expectedPrior = 0;
  receivedPrior = 0;
  /** Relative transit time of the previous packet, in RTP timestamp units (§A.8). */
  private transit = 0;
  private hasTransit = false;
  /** Interarrival jitter in timestamp units, kept as a float (§A.8 uses a /16 filter). */
  jitter = 0;
  /** Of the last interval taken ({@link takeFractionLost}): packets expected and lost. */
  private expectedInterval = 0;
  private lostInterval = 0;

  constructor(firstSeq: number) {
    this.init(firstSeq);
    this.maxSeq = (firstSeq - 1) & 0xffff;
  }

  private init(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }

  /**
   * Account one arriving packet (§A.1). Returns whether it belongs to the valid stream.
   */
  update(seq: number): RtpSequenceVerdict {
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation > 0) {
      // New source: require MIN_SEQUENTIAL packets in sequence before trusting it.
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.init(seq);
          this.received++;
          return 'valid';
        }
      } else {
        this.probation = MIN_SEQUENTIAL - 1;
        this.maxSeq = seq;
      }
      return 'probation';
    }
    if (udelta < MAX_DROPOUT) {
      // In order, possibly with a gap: a smaller number means the counter wrapped.
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A very large jump. If the next packet follows it, the sender restarted: resync.
      if (seq === this.badSeq) {
        this.init(seq);
      } else {
        this.badSeq = (seq + 1) & 0xffff;
        return 'bad';
      }
    } else {
      // Duplicate or reordered within MAX_MISORDER: counted as received, not as new max.
      this.received++;
      return 'duplicate-or-late';
    }
    this.received++;
    return 'valid';
  }

  /** §A.1 extended highest sequence number received (cycles + max_seq). */
  get extendedMaxSeq(): number {
    return this.cycles + this.maxSeq;
  }

  /** §A.3: expected = extended max − base + 1. */
  get expected(): number {
    return this.extendedMaxSeq - this.baseSeq + 1;
  }

  /**
   * §A.3 cumulative number of packets lost; may be negative when duplicates arrive.
   * RTCP clamps it to a signed 24-bit field ({@link clampCumulativeLost}).
   */
  get cumulativeLost(): number {
    return this.expected - this.received;
  }

  /** §A.3: loss over the interval since the last call, then start a new interval. */
  takeIntervalLoss(): RtpIntervalLoss {
    const fractionLost = this.takeFractionLost();
    return {
      fractionLost,
      expectedInterval: this.expectedInterval,
      lostInterval: this.lostInterval,
    };
  }

  /** {@link takeIntervalLoss} without the object (per-report code): the fraction lost. */
  takeFractionLost(): number {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.received - this.receivedPrior;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    this.expectedInterval = expectedInterval;
    this.lostInterval = lostInterval;
    return expectedInterval === 0 || lostInterval <= 0
      ? 0
      : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
  }

  /**
   * §A.8 interarrival jitter. `arrival` is the arrival time already converted to the
   * stream's timestamp units (e.g. ms × 8 for 8 kHz); only differences matter.
   * J(i) = J(i−1) + (|D(i−1,i)| − J(i−1)) / 16.
   */
  updateJitter(rtpTimestamp: number, arrival: number): void {
    // Transit modulo 2^32 so timestamp wraparound does not create a jump.
    const transit = (arrival - rtpTimestamp) | 0;
    if (this.hasTransit) {
      const d = Math.abs((transit - this.transit) | 0);
      this.jitter += (d - this.jitter) / 16;
    }
    this.transit = transit;
    this.hasTransit = true;
  }
}

/** §6.4.1: cumulative lost is a signed 24-bit field; clamp rather than wrap. */
export function clampCumulativeLost(lost: number): number {
  if (lost > 0x7fffff) return 0x7fffff;
  if (lost < -0x800000) return -0x800000;
  return lost;
}
