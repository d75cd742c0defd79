/**
 * A two-channel call recorder port: left = what the caller said, right = what we sent
 * (operator, prompts). Frames arrive on two sinks at any time during a tick (RTP arrives
 * when it arrives); each {@link RecorderPort.tick} writes one frame per channel to the
 * incremental WAV writer, silence for a channel with nothing queued.
 *
 * Each channel queues up to `maxQueuedFrames` (default 10 = 200 ms) so packets bunched
 * by network jitter are not lost; beyond that the oldest frame is dropped (and counted),
 * keeping the two channels in step.
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';
import type { IncrementalWavWriter } from '../wav/wav-writer.ts';
import { type MediaSink, SAMPLES_PER_FRAME } from './media-port.ts';

class FrameQueue implements MediaSink {
  private readonly ring: Int16Array;
  /** One preallocated view per slot, so take() allocates nothing. */
  private readonly slots: Int16Array[] = [];
  private readonly capacity: number;
  private head = 0;
  private count = 0;
  dropped = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.ring = new Int16Array(capacity * SAMPLES_PER_FRAME);
    for (let i = 0; i < capacity; i++) {
      this.slots.push(this.ring.subarray(i * SAMPLES_PER_FRAME, (i + 1) * SAMPLES_PER_FRAME));
    }
  }

  putFrame(frame: Int16Array): void {
    if (this.count === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      this.dropped++;
    }
    const slot = this.slots[(this.head + this.count) % this.capacity]!;
    const n = Math.min(frame.length, SAMPLES_PER_FRAME);
    for (let i = 0; i < n; i++) slot[i] = frame[i]!;
    if (n < SAMPLES_PER_FRAME) slot.fill(0, n);
    this.count++;
  }

  get queued(): number {
    return this.count;
  }

  /** The next frame (a view valid until the next put) or undefined. */
  take(): Int16Array | undefined {
    if (this.count === 0) return undefined;
    const slot = this.slots[this.head]!;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return slot;
  }
}

const SILENCE = new Int16Array(SAMPLES_PER_FRAME);

export class RecorderPort {
  private readonly writer: IncrementalWavWriter;
  private readonly leftQueue: FrameQueue;
  private readonly rightQueue: FrameQueue;
  private stopped = false;

  /** The writer stays owned by the caller (who closes it after {@link stop}). */
  constructor(writer: IncrementalWavWriter, options: { maxQueuedFrames?: number } = {}) {
    if (writer.channels !== 2) {
      throw new MediaError(MediaErrorCode.InvalidArgument, 'recorder needs a two-channel writer');
    }
    this.writer = writer;
    const capacity = options.maxQueuedFrames ?? 10;
    this.leftQueue = new FrameQueue(capacity);
    this.rightQueue = new FrameQueue(capacity);
  }

  /** Sink for the caller's audio (left channel). */
  get left(): MediaSink {
    return this.leftQueue;
  }

  /** Sink for our outgoing audio (right channel). */
  get right(): MediaSink {
    return this.rightQueue;
  }

  get droppedFrames(): number {
    return this.leftQueue.dropped + this.rightQueue.dropped;
  }

  /** Call once per media clock tick. */
  tick(): void {
    if (this.stopped) return;
    const l = this.leftQueue.take() ?? SILENCE;
    const r = this.rightQueue.take() ?? SILENCE;
    this.writer.append(l, r);
  }

  /**
   * Stop writing (safe twice); the caller then closes the writer. Frames still queued on
   * either channel are written first: they were heard before the recording stopped.
   */
  stop(): void {
    while (!this.stopped && (this.leftQueue.queued > 0 || this.rightQueue.queued > 0)) {
      this.tick();
    }
    this.stopped = true;
  }
}
