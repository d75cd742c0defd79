/**
 * WAV writers: a whole file in memory ({@link encodeWav}) and an incremental file writer
 * for call recordings ({@link IncrementalWavWriter}).
 *
 * The incremental writer keeps the RIFF and data sizes (and the fact frame count for
 * G.711) correct on disk every `headerUpdateMs` of audio, so a crashed process leaves a
 * playable file missing at most the last `headerUpdateMs + bufferMs` (and our reader's
 * recovery rule picks up even those bytes if they reached the disk). No timers: updates
 * are driven by the amount of audio appended.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { ALAW_ENCODE_TABLE } from '../g711/alaw.ts';
import { MULAW_ENCODE_TABLE } from '../g711/mulaw.ts';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { bytesPerSampleOf, type WavSampleFormat, writeWavHeader } from './wav-format.ts';

/** Encode interleaved 16-bit samples into `out` at `offset` in the given format. */
function encodeSamples(
  format: WavSampleFormat,
  samples: Int16Array,
  out: Uint8Array,
  offset: number,
): void {
  if (format === 'pcm16') {
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      out[offset + 2 * i] = s & 0xff;
      out[offset + 2 * i + 1] = (s >> 8) & 0xff;
    }
    return;
  }
  const table = format === 'mulaw' ? MULAW_ENCODE_TABLE : ALAW_ENCODE_TABLE;
  for (let i = 0; i < samples.length; i++) out[offset + i] = table[samples[i]! & 0xffff]!;
}

/** A complete WAV file from interleaved 16-bit samples. */
export function encodeWav(
  samples: Int16Array,
  options: { sampleRate: number; channels: number; format?: WavSampleFormat },
): Uint8Array {
  const format = options.format ?? 'pcm16';
  const dataBytes = samples.length * bytesPerSampleOf(format);
  const { header } = writeWavHeader(format, options.channels, options.sampleRate, dataBytes);
  const out = new Uint8Array(header.length + dataBytes + (dataBytes & 1));
  out.set(header);
  encodeSamples(format, samples, out, header.length);
  return out;
}

export interface IncrementalWavWriterOptions {
  channels?: 1 | 2;
  sampleRate?: number;
  format?: WavSampleFormat;
  /** Rewrite the header sizes after this much new audio (default 2000 ms). */
  headerUpdateMs?: number;
  /** Audio buffered in memory before a file write (default 500 ms). */
  bufferMs?: number;
}

export class IncrementalWavWriter {
  private readonly handle: FileHandle;
  private readonly ownsHandle: boolean;
  readonly channels: number;
  readonly sampleRate: number;
  readonly format: WavSampleFormat;
  private readonly frameBytes: number;
  private readonly headerUpdateBytes: number;
  private readonly buffer: Uint8Array;
  private buffered = 0;
  private readonly interleave: Int16Array;
  private dataOffset = 0;
  /** Audio bytes handed to the file (queued or written). */
  private dataBytes = 0;
  private headerBytesAtLastUpdate = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private closed = false;
  private closing: Promise<void> | undefined;

  /** Open (truncate) `path` and write the header. The writer owns and closes the handle. */
  static async open(
    path: string,
    options: IncrementalWavWriterOptions = {},
  ): Promise<IncrementalWavWriter> {
    const handle = await open(path, 'w');
    const writer = new IncrementalWavWriter(handle, options, true);
    await writer.chain;
    return writer;
  }

  /** Write into an open handle positioned at 0; the caller keeps ownership unless `owns`. */
  constructor(handle: FileHandle, options: IncrementalWavWriterOptions = {}, owns = false) {
    this.handle = handle;
    this.ownsHandle = owns;
    this.channels = options.channels ?? 2;
    this.sampleRate = options.sampleRate ?? 8000;
    this.format = options.format ?? 'pcm16';
    this.frameBytes = bytesPerSampleOf(this.format) * this.channels;
    const bytesPerMs = (this.sampleRate * this.frameBytes) / 1000;
    this.headerUpdateBytes = Math.max(
      this.frameBytes,
      Math.round((options.headerUpdateMs ?? 2000) * bytesPerMs),
    );
    const bufferBytes = Math.max(
      this.frameBytes,
      Math.round((options.bufferMs ?? 500) * bytesPerMs),
    );
    this.buffer = new Uint8Array(bufferBytes - (bufferBytes % this.frameBytes));
    this.interleave = new Int16Array(Math.ceil(this.sampleRate / 50) * this.channels); // 20 ms
    const { header } = writeWavHeader(this.format, this.channels, this.sampleRate, 0);
    this.dataOffset = header.length;
    this.enqueue(async () => {
      await this.handle.write(header, 0, header.length, 0);
    });
  }

  /** Audio appended so far, in ms. */
  get durationMs(): number {
    return ((this.dataBytes + this.buffered) / this.frameBytes / this.sampleRate) * 1000;
  }

  /**
   * Append one block: `left` (mono, or channel 0) and `right` (channel 1 of a stereo
   * file; silence if omitted). Synchronous; I/O happens in the background in order.
   */
  append(left: Int16Array, right?: Int16Array): void {
    if (this.closed) throw new MediaError(MediaErrorCode.Closed, 'WAV writer is closed');
    if (this.failure !== undefined) throw this.failure;
    const frames = left.length;
    if (this.channels === 1) {
      this.appendInterleaved(left);
      return;
    }
    if (right !== undefined && right.length !== frames) {
      throw new MediaError(MediaErrorCode.InvalidArgument, 'left and right lengths differ');
    }
    const perBlock = this.interleave.length / 2;
    for (let start = 0; start < frames; start += perBlock) {
      const n = Math.min(perBlock, frames - start);
      const block = this.interleave.subarray(0, n * 2);
      for (let i = 0; i < n; i++) {
        block[2 * i] = left[start + i]!;
        block[2 * i + 1] = right === undefined ? 0 : right[start + i]!;
      }
      this.appendInterleaved(block);
    }
  }

  private appendInterleaved(samples: Int16Array): void {
    const bytesPerSample = bytesPerSampleOf(this.format);
    let index = 0;
    while (index < samples.length) {
      const room = (this.buffer.length - this.buffered) / bytesPerSample;
      const n = Math.min(room, samples.length - index);
      encodeSamples(this.format, samples.subarray(index, index + n), this.buffer, this.buffered);
      this.buffered += n * bytesPerSample;
      index += n;
      if (this.buffered === this.buffer.length) this.writeBuffered();
    }
  }

  private writeBuffered(): void {
    if (this.buffered === 0) return;
    const chunk = this.buffer.slice(0, this.buffered);
    const position = this.dataOffset + this.dataBytes;
    this.dataBytes += this.buffered;
    this.buffered = 0;
    this.enqueue(async () => {
      await this.handle.write(chunk, 0, chunk.length, position);
    });
    if (this.dataBytes - this.headerBytesAtLastUpdate >= this.headerUpdateBytes)
      this.updateHeader();
  }

  /** Queue a rewrite of the size fields for the audio queued so far. */
  private updateHeader(): void {
    const dataBytes = this.dataBytes;
    this.headerBytesAtLastUpdate = dataBytes;
    const { header } = writeWavHeader(this.format, this.channels, this.sampleRate, dataBytes);
    this.enqueue(async () => {
      // Rewriting the whole (small) header updates RIFF size, fact and data size at once.
      await this.handle.write(header, 0, header.length, 0);
    });
  }

  private enqueue(op: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await op();
      } catch (error) {
        this.failure = error;
      }
    });
  }

  /** Write buffered audio and correct sizes now; resolves when it is on the file. */
  async flush(): Promise<void> {
    this.writeBuffered();
    this.updateHeader();
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Wait for writes already queued (no forced flush); for tests and orderly shutdown. */
  async drain(): Promise<void> {
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Flush, pad to an even length, and close the handle if we own it. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      try {
        await this.flush();
        if ((this.dataBytes & 1) === 1) {
          const position = this.dataOffset + this.dataBytes;
          await this.handle.write(new Uint8Array(1), 0, 1, position);
        }
      } finally {
        if (this.ownsHandle) await this.handle.close();
      }
    })();
    return this.closing;
  }
}
