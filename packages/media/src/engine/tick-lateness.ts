/**
 * How late a worker's media goes out: per clock tick, the time at which the last packet
 * of the tick was handed to its socket, minus the tick's ideal deadline. Every packet
 * of the tick left no later than that, so its percentiles bound the send-timing jitter
 * of all streams. A fixed histogram (0.05 ms buckets up to 100 ms): one
 * `performance.now()` and one increment per tick, nothing per packet.
 */
import type { GcReport } from './gc-accounting.ts';

const BUCKET_MS = 0.05;
const BUCKETS = 2000;

export interface TickLatenessReport {
  ticks: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Ticks the clock skipped after a stall since the last reset (MediaClock.maxCatchUpTicks). */
  skippedTicks: number;
  /**
   * Send-timing jitter (port/send-jitter.ts): per send group and frame, the larger change
   * of the first and last send's interval from the frame length; bounds every stream.
   */
  sendJitter?: { samples: number; p50Ms: number; p99Ms: number; maxMs: number };
  /**
   * How clock-driven RTP leaves the worker: 'native-batch' (port/udp-batch.ts, one native
   * call per sub-tick) or 'dgram' (node:dgram per packet; addon not built or disabled).
   */
  sendPath?: 'native-batch' | 'dgram';
  /** Batched datagrams the kernel refused (dropped) since the last reset. */
  batchSendFailures?: number;
  /** Sub-ticks per 20 ms frame (each sends one group of the worker's streams). */
  sendPhases?: number;
  /**
   * Ms the clock blocked the worker's event loop in precise sleeps (early wake-ups, see
   * MediaClock earlyWakeMs) since the last reset: received packets waited meanwhile.
   */
  earlyWakeSleptMs?: number;
  /** The worker's allocation and collections since the last reset (none before one). */
  gc?: GcReport | undefined;
}

export class TickLateness {
  private readonly buckets = new Uint32Array(BUCKETS + 1);
  private count = 0;
  private max = 0;

  record(latenessMs: number): void {
    const ms = Math.max(0, latenessMs);
    this.buckets[Math.min(BUCKETS, Math.floor(ms / BUCKET_MS))]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  report(skippedTicks: number): TickLatenessReport {
    const at = (q: number): number => {
      const target = Math.ceil(q * this.count);
      let seen = 0;
      for (let i = 0; i <= BUCKETS; i++) {
        seen += this.buckets[i]!;
        if (seen >= target && target > 0) return (i + 1) * BUCKET_MS;
      }
      return 0;
    };
    return { ticks: this.count, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: this.max, skippedTicks };
  }

  reset(): void {
    this.buckets.fill(0);
    this.count = 0;
    this.max = 0;
  }
}
