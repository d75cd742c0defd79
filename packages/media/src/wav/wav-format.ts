/**
 * RIFF/WAVE layout (Microsoft RIFF spec; WAVEFORMATEX). Little-endian throughout.
 *
 *   "RIFF" <size> "WAVE"  "fmt " <16|18|40> <fmt>  ["fact" 4 <frames>]  "data" <size> <samples>
 *
 * Format tags we read and write: 1 PCM (8-bit unsigned, 16/24/32-bit signed), 3 IEEE
 * float (read only), 6 A-law, 7 µ-law; 0xFFFE WAVE_FORMAT_EXTENSIBLE is read by taking
 * the tag from its sub-format GUID.
 */
export const WAV_FORMAT = {
  PCM: 1,
  IEEE_FLOAT: 3,
  ALAW: 6,
  MULAW: 7,
  EXTENSIBLE: 0xfffe,
} as const;

/** Sample encodings we write. */
export type WavSampleFormat = 'pcm16' | 'mulaw' | 'alaw';

export interface WavFormat {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes per frame (all channels of one sample instant). */
  blockAlign: number;
}

export function formatTagOf(format: WavSampleFormat): number {
  if (format === 'pcm16') return WAV_FORMAT.PCM;
  return format === 'mulaw' ? WAV_FORMAT.MULAW : WAV_FORMAT.ALAW;
}

export function bytesPerSampleOf(format: WavSampleFormat): number {
  return format === 'pcm16' ? 2 : 1;
}

export interface WavHeaderLayout {
  /** Total header length; the data starts here. */
  dataOffset: number;
  /** Offset of the "fact" frame count, if there is a fact chunk. */
  factOffset: number | undefined;
}

/**
 * Canonical header for `dataBytes` of audio. PCM gets the 44-byte header; G.711 gets an
 * 18-byte fmt (cbSize = 0) and a fact chunk, as the RIFF spec asks of non-PCM formats.
 */
export function writeWavHeader(
  format: WavSampleFormat,
  channels: number,
  sampleRate: number,
  dataBytes: number,
): { header: Uint8Array; layout: WavHeaderLayout } {
  const pcm = format === 'pcm16';
  const fmtSize = pcm ? 16 : 18;
  const factSize = pcm ? 0 : 12;
  const dataOffset = 12 + 8 + fmtSize + factSize + 8;
  const header = new Uint8Array(dataOffset);
  const v = new DataView(header.buffer);
  const bytesPerSample = bytesPerSampleOf(format);
  const blockAlign = bytesPerSample * channels;
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < 4; i++) header[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  v.setUint32(4, dataOffset - 8 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, fmtSize, true);
  v.setUint16(20, formatTagOf(format), true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, bytesPerSample * 8, true);
  let o = 36;
  if (!pcm) {
    v.setUint16(36, 0, true); // cbSize
    o = 38;
    ascii(o, 'fact');
    v.setUint32(o + 4, 4, true);
    v.setUint32(o + 8, dataBytes / blockAlign, true);
    o += 12;
  }
  ascii(o, 'data');
  v.setUint32(o + 4, dataBytes, true);
  return { header, layout: { dataOffset, factOffset: pcm ? undefined : 46 } };
}
