/**
 * Playing a client's recording from a WAV file through the engine (issue 4: per-tenant
 * uploaded prompts): the caller hears the file's audio, converted once to the call's G.711
 * law, and the play ends when the file does.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  buildAudioOffer,
  encodeWav,
  MediaEngine,
  readAudioAnswer,
  RtpSession,
} from '../src/index.ts';

let dir: string;
let engine: MediaEngine;
let caller: RtpSession | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'uketsuke-playfile-'));
  engine = await MediaEngine.start({ workers: 1, promptDir: join(dir, 'prompts'), prepare: false });
});
after(async () => {
  caller?.close();
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

test('a WAV file (16 kHz stereo) plays to a PCMA caller in place of a prompt', async () => {
  // 0.6 s of a 500 Hz tone at 16 kHz, stereo: the reader downmixes and resamples.
  const rate = 16_000;
  const frames = Math.round(0.6 * rate);
  const pcm = new Int16Array(frames * 2);
  for (let f = 0; f < frames; f++) {
    const v = Math.round(12_000 * Math.sin((2 * Math.PI * 500 * f) / rate));
    pcm[2 * f] = v;
    pcm[2 * f + 1] = v;
  }
  const file = join(dir, 'greeting-1.wav');
  await writeFile(file, encodeWav(pcm, { sampleRate: rate, channels: 2 }));

  caller = await RtpSession.open({
    localAddress: '127.0.0.1',
    remoteAddress: '127.0.0.1',
    remotePort: 9,
    codec: 'PCMA',
  });
  const local = { address: '127.0.0.1', port: caller.localPort, codecs: ['PCMA' as const] };
  const ep = await engine.createEndpoint({ remoteSdpOffer: buildAudioOffer(local) });
  const answer = readAudioAnswer(ep.localSdp, local);
  assert.ok(answer.ok);
  caller.relatch({ address: answer.audio.remoteAddress, port: answer.audio.remotePort });

  let loud = 0;
  let sumSquares = 0;
  caller.on('audio', (samples: Int16Array) => {
    let s = 0;
    for (const x of samples) s += x * x;
    const rms = Math.sqrt(s / samples.length);
    if (rms > 3000) {
      loud++;
      sumSquares += rms;
    }
  });
  const result = await engine.play(ep.id, 'greeting', {}, { file });
  assert.equal(result.reason, 'done');
  await new Promise((r) => setTimeout(r, 200));
  // 0.6 s is 30 frames of 20 ms; allow for the first/last partial frame.
  assert.ok(loud >= 27 && loud <= 31, `loud frames: ${loud}`);
  // A full-scale sine of amplitude 12,000 has an RMS near 8,485.
  const meanRms = sumSquares / loud;
  assert.ok(meanRms > 7000 && meanRms < 10_000, `mean RMS ${meanRms}`);
  await assert.rejects(engine.play(ep.id, 'greeting', {}, { file: join(dir, 'missing.wav') }));
  await engine.destroy(ep.id);
});
