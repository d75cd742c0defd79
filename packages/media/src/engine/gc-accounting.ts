/**
 * What the garbage collector did in a media worker between two clock-statistics calls:
 * bytes the isolate allocated (heap growth plus what each collection freed), and the
 * collections by type with their pauses. A worker that allocates in steady state is
 * eventually paused by a scavenge or a mark-compact, and a few ms of pause is send
 * jitter; benchmarks report this next to the jitter (`clockStats().gc`).
 *
 * Uses V8's GC profiler (node:v8 GCProfiler), which only does work when a collection
 * happens. Started by the first {@link GcAccounting.restart}.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';

export interface GcReport {
  /** Seconds since the last reset. */
  seconds: number;
  /** Bytes allocated on the isolate's heap since the last reset. */
  allocatedBytes: number;
  /** Collections by V8 type ('Scavenge', 'MarkSweepCompact', 'IncrementalMarking' …). */
  collections: Record<string, number>;
  /** Total and longest pause of those collections, ms. */
  pauseMs: number;
  maxPauseMs: number;
}

interface GcStatistic {
  gcType: string;
  /** µs. */
  cost: number;
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}

export class GcAccounting {
  private profiler: GCProfiler | undefined;
  private startedAt = 0;
  private usedAtStart = 0;
  private freed = 0;
  private collections: Record<string, number> = {};
  private pauseMs = 0;
  private maxPauseMs = 0;

  /** Start counting afresh. */
  restart(): void {
    this.profiler?.stop();
    this.freed = 0;
    this.collections = {};
    this.pauseMs = 0;
    this.maxPauseMs = 0;
    this.startedAt = performance.now();
    this.usedAtStart = getHeapStatistics().used_heap_size;
    this.profiler = new GCProfiler();
    this.profiler.start();
  }

  /** Since the last restart; undefined before the first. Counting goes on. */
  report(): GcReport | undefined {
    const profiler = this.profiler;
    if (profiler === undefined) return undefined;
    const result = profiler.stop() as { statistics: GcStatistic[] } | undefined;
    const used = getHeapStatistics().used_heap_size;
    this.profiler = new GCProfiler();
    this.profiler.start();
    for (const s of result?.statistics ?? []) {
      this.freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
      this.collections[s.gcType] = (this.collections[s.gcType] ?? 0) + 1;
      const ms = s.cost / 1000;
      this.pauseMs += ms;
      if (ms > this.maxPauseMs) this.maxPauseMs = ms;
    }
    return {
      seconds: (performance.now() - this.startedAt) / 1000,
      allocatedBytes: used - this.usedAtStart + this.freed,
      collections: { ...this.collections },
      pauseMs: this.pauseMs,
      maxPauseMs: this.maxPauseMs,
    };
  }
}
