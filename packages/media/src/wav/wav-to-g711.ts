/**
 * Converting an uploaded announcement (any WAV we can read) to what the player caches:
 * 8 kHz mono G.711. Steps: decode to 16-bit, downmix by averaging channels, resample
 * (windowed sinc, resampler.ts), round and clamp, encode with the G.711 tables.
 */
import { g711Tables, type G711Law } from '../g711/g711-codec.ts';
import { resample } from './resampler.ts';
import { clampInt16, decodeWavSamples, parseWav } from './wav-reader.ts';

export const TELEPHONY_SAMPLE_RATE = 8000;

/** Any readable WAV → 8 kHz mono 16-bit linear. */
export function wavToPcm8kMono(bytes: Uint8Array): Int16Array {
  const wav = parseWav(bytes);
  const interleaved = decodeWavSamples(wav);
  const channels = wav.channels;
  const mono = new Float32Array(wav.frames);
  for (let f = 0; f < wav.frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[f * channels + c]!;
    mono[f] = sum / channels / 32768;
  }
  const resampled = resample(mono, wav.sampleRate, TELEPHONY_SAMPLE_RATE);
  const out = new Int16Array(resampled.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = clampInt16(Math.round(resampled[i]! * 32768));
  }
  return out;
}

/** Any readable WAV → 8 kHz mono G.711 bytes, ready for a player port. */
export function wavToG711(bytes: Uint8Array, law: G711Law): Uint8Array {
  const pcm = wavToPcm8kMono(bytes);
  const { encode } = g711Tables(law);
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = encode[pcm[i]! & 0xffff]!;
  return out;
}
