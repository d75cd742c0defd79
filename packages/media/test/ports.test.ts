import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  decodeWavSamples,
  type G711Audio,
  IncrementalWavWriter,
  japaneseBusy,
  japaneseRingback,
  MediaClock,
  MixerPort,
  mulawDecode,
  mulawEncode,
  alawEncode,
  mulawEncodeBuffer,
  parseWav,
  PlayerPort,
  RecorderPort,
  SAMPLES_PER_FRAME,
  TonePort,
  VirtualScheduler,
} from '../src/index.ts';

function ulawAudio(length: number, value: number): G711Audio {
  const pcm = new Int16Array(length).fill(value);
  const data = new Uint8Array(length);
  mulawEncodeBuffer(pcm, data);
  return { law: 'PCMU', data };
}

function energy(frame: Int16Array): number {
  let e = 0;
  for (const s of frame) e += s * s;
  return e / frame.length;
}

const dir = await mkdtemp(join(tmpdir(), 'uketsuke-media-ports-'));
after(() => rm(dir, { recursive: true, force: true }));

describe('PlayerPort', () => {
  test('plays a playlist gaplessly, emits ended/idle, pads the last frame', () => {
    const player = new PlayerPort();
    const events: string[] = [];
    player.on('ended', (item) => events.push(`ended:${item.id}`));
    player.on('idle', () => events.push('idle'));
    player.play([
      { audio: ulawAudio(200, 1000), id: 'a' },
      { audio: ulawAudio(100, -1000), id: 'b' },
    ]);
    const out = new Int16Array(SAMPLES_PER_FRAME);
    assert.equal(player.getFrame(out), true);
    assert.ok(out.every((s) => s === mulawDecode(mulawEncode(1000))));
    assert.equal(player.getFrame(out), true); // 40 of a, 100 of b, 20 silence
    assert.equal(out[39], mulawDecode(mulawEncode(1000)));
    assert.equal(out[40], mulawDecode(mulawEncode(-1000)));
    assert.equal(out[139], mulawDecode(mulawEncode(-1000)));
    assert.equal(out[140], 0);
    assert.deepEqual(events, ['ended:a', 'ended:b', 'idle']);
    assert.equal(player.getFrame(out), false);
  });

  test('loop and interrupt (barge-in)', () => {
    const player = new PlayerPort();
    let idle = 0;
    player.on('idle', () => idle++);
    player.play({ audio: ulawAudio(50, 500), loop: true });
    const out = new Int16Array(SAMPLES_PER_FRAME);
    for (let i = 0; i < 10; i++) assert.equal(player.getFrame(out), true);
    player.interrupt();
    assert.equal(idle, 1);
    assert.equal(player.getFrame(out), false);
    player.play({ audio: ulawAudio(400, 1) });
    player.play({ audio: ulawAudio(400, 2000) }, { interrupt: true });
    player.getFrame(out);
    assert.equal(out[0], mulawDecode(mulawEncode(2000)));
  });

  test('readEncoded: pass-through in the same law, transcoded in the other', () => {
    const player = new PlayerPort();
    const audio = ulawAudio(160, 3000);
    player.play([{ audio }, { audio }]);
    const bytes = new Uint8Array(160);
    assert.equal(player.readEncoded(bytes, 'PCMU'), true);
    assert.deepEqual(bytes, audio.data);
    assert.equal(player.readEncoded(bytes, 'PCMA'), true);
    assert.ok(bytes.every((b) => b === alawEncode(mulawDecode(audio.data[0]!))));
    assert.equal(player.readEncoded(bytes, 'PCMA'), false);
  });
});

describe('TonePort (Japanese call-progress tones)', () => {
  test('ringback: 1 s on, 2 s off, 400 Hz with 16 Hz modulation', () => {
    const tone = new TonePort(japaneseRingback());
    assert.equal(japaneseRingback(), japaneseRingback()); // rendered once, shared
    const out = new Int16Array(SAMPLES_PER_FRAME);
    const levels: number[] = [];
    for (let i = 0; i < 300; i++) {
      tone.getFrame(out);
      levels.push(energy(out));
    }
    const on = levels.map((e) => e > 0);
    assert.ok(on.slice(0, 50).every(Boolean));
    assert.ok(on.slice(50, 150).every((x) => !x));
    assert.ok(on.slice(150, 200).every(Boolean)); // next cycle
    // Modulation: frame energies inside the on-period vary with a 62.5 ms period.
    const onLevels = levels.slice(0, 50);
    assert.ok(Math.max(...onLevels) > 4 * Math.min(...onLevels));
    // Carrier: one 400 Hz period is exactly 20 samples.
    const samples = japaneseRingback().samples;
    let crossings = 0;
    for (let i = 1; i < 8000; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
    assert.ok(Math.abs(crossings - 400) <= 2, `${crossings}`);
  });

  test('busy: 0.5 s on / 0.5 s off; stop', () => {
    const tone = new TonePort(japaneseBusy());
    const out = new Int16Array(SAMPLES_PER_FRAME);
    const on: boolean[] = [];
    for (let i = 0; i < 100; i++) {
      tone.getFrame(out);
      on.push(energy(out) > 0);
    }
    assert.deepEqual(on, [
      ...Array(25).fill(true),
      ...Array(25).fill(false),
      ...Array(25).fill(true),
      ...Array(25).fill(false),
    ]);
    tone.set(undefined);
    assert.equal(tone.getFrame(out), false);
  });
});

describe('RecorderPort', () => {
  test('records two channels on clock ticks into the incremental WAV writer', async () => {
    const path = join(dir, 'call.wav');
    const writer = await IncrementalWavWriter.open(path, { headerUpdateMs: 1000 });
    const recorder = new RecorderPort(writer, { maxQueuedFrames: 4 });
    const scheduler = new VirtualScheduler();
    const clock = new MediaClock({ scheduler });
    const tone = new TonePort(japaneseBusy());
    const caller = new Int16Array(SAMPLES_PER_FRAME).fill(777);
    const toneFrame = new Int16Array(SAMPLES_PER_FRAME);
    clock.add((tick) => {
      if (tick % 2 === 0) recorder.left.putFrame(caller); // caller audio every other tick
      tone.getFrame(toneFrame);
      recorder.right.putFrame(toneFrame);
      recorder.tick();
    });
    scheduler.advance(2000);
    clock.close();
    recorder.stop();
    recorder.tick(); // ignored after stop
    await writer.close();
    const wav = parseWav(await readFile(path));
    assert.equal(wav.channels, 2);
    assert.equal(wav.frames, 100 * SAMPLES_PER_FRAME);
    const s = decodeWavSamples(wav);
    assert.equal(s[0], 0); // tick 1: no caller frame → silence
    assert.equal(s[2 * SAMPLES_PER_FRAME], 777); // tick 2
    assert.ok(s[3] !== 0); // busy tone on the right channel
    assert.equal(recorder.droppedFrames, 0);
  });

  test('bounded queue drops the oldest frames; needs a stereo writer', async () => {
    const path = join(dir, 'burst.wav');
    const writer = await IncrementalWavWriter.open(path);
    const recorder = new RecorderPort(writer, { maxQueuedFrames: 2 });
    for (let v = 1; v <= 4; v++) recorder.left.putFrame(new Int16Array(SAMPLES_PER_FRAME).fill(v));
    assert.equal(recorder.droppedFrames, 2);
    recorder.tick();
    await writer.close();
    assert.equal(decodeWavSamples(parseWav(await readFile(path)))[0], 3);
    const mono = await IncrementalWavWriter.open(join(dir, 'mono.wav'), { channels: 1 });
    assert.throws(() => new RecorderPort(mono), { code: 'MEDIA_INVALID_ARGUMENT' });
    await mono.close();
  });
});

describe('MixerPort', () => {
  test('sums active sources with gain and saturation', () => {
    const constant = (v: number, active = true) => ({
      getFrame(out: Int16Array) {
        out.fill(v);
        return active;
      },
    });
    const mixer = new MixerPort();
    const out = new Int16Array(SAMPLES_PER_FRAME);
    assert.equal(mixer.getFrame(out), false);
    const a = constant(1000);
    mixer.add(a);
    const removeB = mixer.add(constant(2000), 0.5);
    mixer.add(constant(9999, false));
    assert.equal(mixer.getFrame(out), true);
    assert.equal(out[0], 2000);
    mixer.setGain(a, 40);
    mixer.getFrame(out);
    assert.equal(out[5], 32767);
    removeB();
    removeB();
    assert.equal(mixer.size, 2);
    assert.throws(() => mixer.add(a, -1), { code: 'MEDIA_INVALID_ARGUMENT' });
  });
});
