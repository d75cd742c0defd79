/**
 * WAV reader: finds fmt/data in a RIFF file and decodes the samples to 16-bit linear.
 *
 * Recovery rule for files whose writer died before fixing the header (our incremental
 * writer, or any recorder): a data size of 0 or larger than the bytes present means "up
 * to the end of the file", trimmed to whole frames.
 */
import { ALAW_DECODE_TABLE } from '../g711/alaw.ts';
import { MULAW_DECODE_TABLE } from '../g711/mulaw.ts';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { WAV_FORMAT, type WavFormat } from './wav-format.ts';

export interface ParsedWav extends WavFormat {
  /** The raw sample bytes (a view into the input). */
  data: Uint8Array;
  /** Number of frames (samples per channel). */
  frames: number;
  /** True when the data size was recovered from the file length (see module comment). */
  recovered: boolean;
}

function fourcc(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);
}

function malformed(message: string): MediaError {
  return new MediaError(MediaErrorCode.WavMalformed, message);
}

export function parseWav(bytes: Uint8Array): ParsedWav {
  if (bytes.length < 12 || fourcc(bytes, 0) !== 'RIFF' || fourcc(bytes, 8) !== 'WAVE') {
    throw malformed('not a RIFF/WAVE file');
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: WavFormat | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = fourcc(bytes, offset);
    const size = v.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length) throw malformed('short fmt chunk');
      let formatTag = v.getUint16(body, true);
      if (formatTag === WAV_FORMAT.EXTENSIBLE) {
        if (size < 40) throw malformed('short WAVE_FORMAT_EXTENSIBLE');
        formatTag = v.getUint16(body + 24, true); // first two bytes of the sub-format GUID
      }
      format = {
        formatTag,
        channels: v.getUint16(body + 2, true),
        sampleRate: v.getUint32(body + 4, true),
        blockAlign: v.getUint16(body + 12, true),
        bitsPerSample: v.getUint16(body + 14, true),
      };
      if (format.channels === 0 || format.sampleRate === 0 || format.blockAlign === 0) {
        throw malformed('fmt chunk with zero channels, rate or block align');
      }
    } else if (id === 'data') {
      if (format === undefined) throw malformed('data chunk before fmt chunk');
      const available = bytes.length - body;
      const recovered = size === 0 || size > available;
      let length = recovered ? available : size;
      length -= length % format.blockAlign;
      return {
        ...format,
        data: bytes.subarray(body, body + length),
        frames: length / format.blockAlign,
        recovered: recovered && length > 0,
      };
    }
    offset = body + size + (size & 1); // chunks are word aligned
  }
  throw malformed(format === undefined ? 'no fmt chunk' : 'no data chunk');
}

/** Decode all channels to interleaved 16-bit samples. */
export function decodeWavSamples(wav: ParsedWav): Int16Array {
  const { formatTag, bitsPerSample, data } = wav;
  const count = wav.frames * wav.channels;
  const out = new Int16Array(count);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const step = wav.blockAlign / wav.channels;
  if (formatTag === WAV_FORMAT.MULAW || formatTag === WAV_FORMAT.ALAW) {
    if (bitsPerSample !== 8) throw unsupported(wav);
    const table = formatTag === WAV_FORMAT.MULAW ? MULAW_DECODE_TABLE : ALAW_DECODE_TABLE;
    for (let i = 0; i < count; i++) out[i] = table[data[i]!]!;
    return out;
  }
  if (formatTag === WAV_FORMAT.PCM) {
    switch (bitsPerSample) {
      case 8: // unsigned, 128 = silence
        for (let i = 0; i < count; i++) out[i] = (data[i * step]! - 128) << 8;
        return out;
      case 16:
        for (let i = 0; i < count; i++) out[i] = v.getInt16(i * step, true);
        return out;
      case 24: // keep the top 16 bits
        for (let i = 0; i < count; i++) out[i] = v.getInt16(i * step + 1, true);
        return out;
      case 32:
        for (let i = 0; i < count; i++) out[i] = v.getInt32(i * step, true) >> 16;
        return out;
    }
  }
  if (formatTag === WAV_FORMAT.IEEE_FLOAT && bitsPerSample === 32) {
    for (let i = 0; i < count; i++) out[i] = floatToInt16(v.getFloat32(i * step, true));
    return out;
  }
  throw unsupported(wav);
}

function unsupported(wav: WavFormat): MediaError {
  return new MediaError(
    MediaErrorCode.WavUnsupported,
    `WAV format tag ${wav.formatTag} with ${wav.bitsPerSample} bits is not supported`,
  );
}

export function clampInt16(s: number): number {
  return Math.min(32767, Math.max(-32768, s));
}

export function floatToInt16(x: number): number {
  return clampInt16(Math.round(x * 32767));
}
