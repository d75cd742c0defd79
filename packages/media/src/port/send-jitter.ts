/**
 * Send-timing jitter of clock-driven RTP streams, measured where packets leave: for each
 * send group (the streams one clock phase sends, in a stable order), the times of its
 * first and last send in every frame. A stream at position k of a group goes out at
 * about first + k·(last − first)/(n − 1), so the change of its inter-packet interval from
 * the nominal ptime lies between the first's and the last's: the larger of the two
 * deviations, |(tᵢ − tᵢ₋₁) − frameMs|, bounds every stream of the group in that frame.
 * Samples are taken only between frames in which the group had the same members
 * (a joining or leaving stream shifts positions once; that is not jitter).
 *
 * Fixed histogram (0.05 ms buckets up to 100 ms), nothing allocated per frame.
 */
const BUCKET_MS = 0.05;
const BUCKETS = 2000;

export interface SendJitterReport {
  /** Interval samples (group-frames) measured. */
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export class SendJitter {
  private readonly frameMs: number;
  private readonly lastFirst: Float64Array;
  private readonly lastLast: Float64Array;
  private readonly lastCount: Int32Array;
  private readonly buckets = new Uint32Array(BUCKETS + 1);
  private count = 0;
  private max = 0;

  constructor(groups: number, frameMs: number) {
    this.frameMs = frameMs;
    this.lastFirst = new Float64Array(groups);
    this.lastLast = new Float64Array(groups);
    this.lastCount = new Int32Array(groups);
  }

  /** One frame of `group`: `members` streams, first/last send at `firstMs`/`lastMs`. */
  record(group: number, members: number, firstMs: number, lastMs: number): void {
    if (members > 0 && members === this.lastCount[group]) {
      const a = Math.abs(firstMs - this.lastFirst[group]! - this.frameMs);
      const b = Math.abs(lastMs - this.lastLast[group]! - this.frameMs);
      this.add(a > b ? a : b);
    }
    this.lastCount[group] = members;
    this.lastFirst[group] = firstMs;
    this.lastLast[group] = lastMs;
  }

  /** Forget the previous frame of every group (membership changed, clock restarted). */
  restart(): void {
    this.lastCount.fill(0);
  }

  report(): SendJitterReport {
    const at = (q: number): number => {
      const target = Math.ceil(q * this.count);
      let seen = 0;
      for (let i = 0; i <= BUCKETS; i++) {
        seen += this.buckets[i]!;
        if (seen >= target && target > 0) return (i + 1) * BUCKET_MS;
      }
      return 0;
    };
    return { samples: this.count, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: this.max };
  }

  reset(): void {
    this.buckets.fill(0);
    this.count = 0;
    this.max = 0;
  }

  private add(ms: number): void {
    this.buckets[Math.min(BUCKETS, Math.floor(ms / BUCKET_MS))]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }
}
