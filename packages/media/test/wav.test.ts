import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  alawDecode,
  alawEncode,
  decodeWavSamples,
  encodeWav,
  IncrementalWavWriter,
  mulawDecode,
  mulawEncode,
  parseWav,
  resample,
  wavToG711,
  wavToPcm8kMono,
} from '../src/index.ts';

function sine(freq: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / rate),
  );
}

function toInt16(x: Float32Array): Int16Array {
  return Int16Array.from(x, (v) => Math.round(v * 32767));
}

/** Amplitude of `freq` in `x` (single-bin DFT, ignoring the edges). */
function toneLevel(x: ArrayLike<number>, rate: number, freq: number, scale = 1): number {
  let re = 0;
  let im = 0;
  const from = Math.floor(x.length * 0.1);
  const to = Math.floor(x.length * 0.9);
  for (let i = from; i < to; i++) {
    re += (x[i]! / scale) * Math.cos((2 * Math.PI * freq * i) / rate);
    im += (x[i]! / scale) * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

const dir = await mkdtemp(join(tmpdir(), 'uketsuke-media-wav-'));
after(() => rm(dir, { recursive: true, force: true }));

describe('WAV read/write', () => {
  test('PCM 16-bit stereo round trip, golden header', () => {
    const samples = Int16Array.from([1, -1, 1000, -1000, 32767, -32768]);
    const bytes = encodeWav(samples, { sampleRate: 8000, channels: 2 });
    assert.equal(bytes.length, 44 + 12);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), 'RIFF');
    assert.equal(new DataView(bytes.buffer).getUint32(4, true), 36 + 12);
    assert.equal(new DataView(bytes.buffer).getUint32(28, true), 32000); // byte rate
    const wav = parseWav(bytes);
    assert.equal(wav.channels, 2);
    assert.equal(wav.frames, 3);
    assert.equal(wav.recovered, false);
    assert.deepEqual(decodeWavSamples(wav), samples);
  });

  test('µ-law (fmt 7) and A-law (fmt 6) files with fact chunk', () => {
    const samples = Int16Array.from([0, 8000, -8000, 300]);
    for (const format of ['mulaw', 'alaw'] as const) {
      const bytes = encodeWav(samples, { sampleRate: 8000, channels: 1, format });
      const wav = parseWav(bytes);
      assert.equal(wav.formatTag, format === 'mulaw' ? 7 : 6);
      assert.equal(wav.bitsPerSample, 8);
      assert.equal(new TextDecoder().decode(bytes.subarray(38, 42)), 'fact');
      const decoded = decodeWavSamples(wav);
      const roundTrip = (x: number) =>
        format === 'mulaw' ? mulawDecode(mulawEncode(x)) : alawDecode(alawEncode(x));
      assert.deepEqual([...decoded], [...samples].map(roundTrip));
    }
  });

  test('8-bit unsigned PCM, odd chunk padding and unknown chunks are skipped', () => {
    const enc = new TextEncoder();
    const parts = [
      enc.encode('RIFF'),
      new Uint8Array(4),
      enc.encode('WAVE'),
      enc.encode('LIST'),
      Uint8Array.from([3, 0, 0, 0, 1, 2, 3, 0]), // odd size + pad byte
      enc.encode('fmt '),
      Uint8Array.from([16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 1, 0, 8, 0]),
      enc.encode('data'),
      Uint8Array.from([3, 0, 0, 0, 128, 255, 0]),
    ];
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.length;
    }
    const wav = parseWav(bytes);
    assert.deepEqual([...decodeWavSamples(wav)], [0, 127 << 8, -128 << 8]);
  });

  test('malformed and unsupported files give typed errors', () => {
    assert.throws(() => parseWav(new Uint8Array(10)), { code: 'MEDIA_WAV_MALFORMED' });
    const bytes = encodeWav(new Int16Array(4), { sampleRate: 8000, channels: 1 });
    bytes[20] = 2; // ADPCM
    assert.throws(() => decodeWavSamples(parseWav(bytes)), { code: 'MEDIA_WAV_UNSUPPORTED' });
  });
});

describe('conversion to 8 kHz mono G.711', () => {
  test('resampler keeps in-band tones and removes what would alias', () => {
    const x = sine(1000, 48000, 0.5);
    const y = resample(x, 48000, 8000);
    assert.equal(y.length, 4000);
    assert.ok(Math.abs(toneLevel(y, 8000, 1000) - 0.5) < 0.01, `${toneLevel(y, 8000, 1000)}`);
    // 6 kHz at 48 kHz would alias to 2 kHz after naive decimation.
    const hi = resample(sine(6000, 48000, 0.5), 48000, 8000);
    assert.ok(toneLevel(hi, 8000, 2000) < 0.001, `${toneLevel(hi, 8000, 2000)}`);
    // Upsampling 8 → 16 kHz keeps the tone too.
    const up = resample(sine(440, 8000, 0.5), 8000, 16000);
    assert.ok(Math.abs(toneLevel(up, 16000, 440) - 0.5) < 0.01);
  });

  test('44.1 kHz stereo 16-bit WAV → 8 kHz mono µ-law', () => {
    const left = sine(500, 44100, 1, 0.4);
    const right = sine(500, 44100, 1, 0.2);
    const inter = new Int16Array(left.length * 2);
    for (let i = 0; i < left.length; i++) {
      inter[2 * i] = Math.round(left[i]! * 32767);
      inter[2 * i + 1] = Math.round(right[i]! * 32767);
    }
    const wavBytes = encodeWav(inter, { sampleRate: 44100, channels: 2 });
    const pcm = wavToPcm8kMono(wavBytes);
    assert.equal(pcm.length, 8000);
    assert.ok(Math.abs(toneLevel(pcm, 8000, 500, 32768) - 0.3) < 0.01);
    const ulaw = wavToG711(wavBytes, 'PCMU');
    assert.equal(ulaw.length, 8000);
    const decoded = Array.from(ulaw, mulawDecode);
    assert.ok(Math.abs(toneLevel(decoded, 8000, 500, 32768) - 0.3) < 0.015);
    // 8 kHz A-law input passes through unchanged in content.
    const alawFile = encodeWav(toInt16(sine(300, 8000, 0.2)), {
      sampleRate: 8000,
      channels: 1,
      format: 'alaw',
    });
    assert.equal(wavToG711(alawFile, 'PCMA').length, 1600);
    assert.equal(mulawEncode(0), 0xff);
  });
});

describe('IncrementalWavWriter', () => {
  test('a file that was never closed is readable up to the last header update', async () => {
    const path = join(dir, 'crash.wav');
    const writer = await IncrementalWavWriter.open(path, { headerUpdateMs: 1000, bufferMs: 200 });
    const left = new Int16Array(160).fill(1234);
    const right = new Int16Array(160).fill(-4321);
    for (let i = 0; i < 175; i++) writer.append(left, right); // 3.5 s
    await writer.drain(); // what reached the disk before the "crash"; no close()
    const wav = parseWav(await readFile(path));
    assert.equal(wav.channels, 2);
    assert.equal(wav.sampleRate, 8000);
    const seconds = wav.frames / 8000;
    assert.ok(seconds >= 3 && seconds <= 3.5, `${seconds}`);
    const samples = decodeWavSamples(wav);
    assert.equal(samples[0], 1234);
    assert.equal(samples[1], -4321);
    await writer.close();
    await writer.close(); // idempotent
    const closed = parseWav(await readFile(path));
    assert.equal(closed.frames, 175 * 160);
    assert.equal(closed.recovered, false);
    assert.throws(() => writer.append(left), { code: 'MEDIA_CLOSED' });
  });

  test('a header left at size 0 is recovered from the file length', async () => {
    const path = join(dir, 'early-crash.wav');
    const writer = await IncrementalWavWriter.open(path, {
      headerUpdateMs: 60_000,
      bufferMs: 100,
      format: 'mulaw',
    });
    for (let i = 0; i < 20; i++) writer.append(new Int16Array(160).fill(500), new Int16Array(160));
    await writer.drain();
    const wav = parseWav(await readFile(path));
    assert.equal(wav.recovered, true);
    assert.equal(wav.formatTag, 7);
    assert.equal(wav.frames, 20 * 160);
    await writer.close();
    const closed = parseWav(await readFile(path));
    assert.equal(closed.recovered, false);
    assert.equal(closed.frames, 20 * 160);
  });

  test('mono writer', async () => {
    const path = join(dir, 'mono.wav');
    const writer = await IncrementalWavWriter.open(path, { channels: 1 });
    writer.append(Int16Array.from([1, 2, 3]));
    assert.ok(writer.durationMs > 0);
    await writer.close();
    assert.deepEqual([...decodeWavSamples(parseWav(await readFile(path)))], [1, 2, 3]);
  });
});
