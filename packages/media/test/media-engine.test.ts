import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  answerAudioOffer,
  buildAudioOffer,
  type DtmfEngineEvent,
  decodeWavSamples,
  isMediaError,
  MediaEngine,
  MediaErrorCode,
  parseWav,
  readAudioAnswer,
  RtpSession,
  splitPortRange,
} from '../src/index.ts';

const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;

let dir: string;
let engine: MediaEngine;
const callers: RtpSession[] = [];
const timers: ReturnType<typeof setInterval>[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'uketsuke-engine-'));
  engine = await MediaEngine.start({
    workers: 2,
    promptDir: join(dir, 'prompts'),
    prepare: hasEspeak,
  });
});

after(async () => {
  for (const t of timers) clearInterval(t);
  for (const c of callers) c.close();
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A caller: an RtpSession that offers PCMU + telephone-event, answered by the engine. */
async function call(options: { colocateWith?: string } = {}) {
  const caller = await RtpSession.open({
    localAddress: '127.0.0.1',
    remoteAddress: '127.0.0.1',
    remotePort: 9, // replaced from the answer below
    codec: 'PCMU',
    telephoneEventPt: 101,
  });
  callers.push(caller);
  const local = { address: '127.0.0.1', port: caller.localPort, codecs: ['PCMU' as const] };
  const ep = await engine.createEndpoint({ remoteSdpOffer: buildAudioOffer(local), ...options });
  const answer = readAudioAnswer(ep.localSdp, local);
  assert.ok(answer.ok);
  caller.relatch({ address: answer.audio.remoteAddress, port: answer.audio.remotePort });
  return { caller, id: ep.id };
}

/** Send a constant-level frame every 20 ms, at most `frames` times. */
function pump(caller: RtpSession, level: number, frames = 500): () => void {
  const pcm = new Int16Array(160);
  let sent = 0;
  const t = setInterval(() => {
    for (let i = 0; i < 160; i++) pcm[i] = i % 2 === 0 ? level : -level;
    if (sent++ >= frames) clearInterval(t);
    else caller.sendFrame(pcm);
  }, 20);
  timers.push(t);
  return () => clearInterval(t);
}

function rms(samples: ArrayLike<number>, from = 0, step = 1): number {
  let sum = 0;
  let n = 0;
  for (let i = from; i < samples.length; i += step) {
    sum += samples[i]! * samples[i]!;
    n++;
  }
  return Math.sqrt(sum / Math.max(1, n));
}

/** Collect received audio until `frames` loud frames arrived. */
function hearLoud(caller: RtpSession, frames: number, threshold = 500): Promise<number> {
  return new Promise((resolve) => {
    let loud = 0;
    const on = (pcm: Int16Array) => {
      if (rms(pcm) > threshold && ++loud === frames) {
        caller.off('audio', on);
        resolve(loud);
      }
    };
    caller.on('audio', on);
  });
}

function nextDtmf(predicate: (e: DtmfEngineEvent) => boolean): Promise<DtmfEngineEvent> {
  return new Promise((resolve) => {
    const on = (e: DtmfEngineEvent) => {
      if (!predicate(e)) return;
      engine.off('dtmf', on);
      resolve(e);
    };
    engine.on('dtmf', on);
  });
}

describe('MediaEngine (worker threads, loopback RTP)', { timeout: 120_000 }, () => {
  test('splits the RTP port range between workers on even boundaries', () => {
    assert.deepEqual(splitPortRange({ min: 20000, max: 20011 }, 2), [
      { min: 20000, max: 20005 },
      { min: 20006, max: 20011 },
    ]);
    assert.throws(() => splitPortRange({ min: 20000, max: 20001 }, 2));
  });

  test('plays a prompt the caller hears, then resolves done', async () => {
    const { caller, id } = await call();
    const stop = pump(caller, 0, 100);
    const heard = hearLoud(caller, 10);
    const result = await engine.play(id, 'voicemail_beep');
    assert.equal(result.reason, 'done');
    assert.equal(await heard, 10);
    stop();
    const stats = await engine.stats(id);
    assert.ok(stats.packetsSent >= 25);
    const clocks = await engine.clockStats();
    assert.equal(clocks.length, 2);
    assert.ok(clocks.some((c) => c.ticks > 0 && c.p99Ms >= c.p50Ms));
    // Send-timing jitter is measured per send group (port/send-jitter.ts).
    assert.ok(
      clocks.some((c) => (c.sendJitter?.samples ?? 0) > 0 && c.sendJitter!.p99Ms >= 0),
      JSON.stringify(clocks),
    );
    await engine.destroy(id);
    await engine.destroy(id); // idempotent
  });

  test('a speech prompt (espeak-ng) reaches the caller', {
    skip: hasEspeak ? false : 'espeak-ng not installed (apt-get install espeak-ng)',
  }, async () => {
    const { caller, id } = await call();
    const heard = hearLoud(caller, 20, 300);
    assert.equal((await engine.play(id, 'greeting')).reason, 'done');
    assert.equal(await heard, 20);
    const digits = hearLoud(caller, 20, 300);
    const r = await engine.play(id, 'readback_number', { digits: '0312' });
    assert.equal(r.reason, 'done');
    assert.equal(await digits, 20);
    await engine.destroy(id);
  });

  test('UAC: the engine offers, the peer answers, media flows', async () => {
    const caller = await RtpSession.open({
      localAddress: '127.0.0.1',
      remoteAddress: '127.0.0.1',
      remotePort: 9,
      codec: 'PCMA',
    });
    callers.push(caller);
    const ep = await engine.createEndpoint({ codecs: ['PCMA', 'PCMU'] });
    assert.match(ep.localSdp, /m=audio \d+ RTP\/AVP 8 0/);
    const answer = answerAudioOffer(ep.localSdp, {
      address: '127.0.0.1',
      port: caller.localPort,
      codecs: ['PCMA'],
    });
    assert.ok(answer.ok);
    caller.relatch({ address: answer.audio.remoteAddress, port: answer.audio.remotePort });
    assert.deepEqual(await engine.setRemoteAnswer(ep.id, answer.sdp), { codec: 'PCMA' });
    const heard = hearLoud(caller, 10);
    assert.equal((await engine.play(ep.id, 'voicemail_beep')).reason, 'done');
    assert.equal(await heard, 10);
    await engine.destroy(ep.id);
  });

  test('reports RFC 4733 and SIP INFO digits; a digit barges in', async () => {
    const { caller, id } = await call();
    const stop = pump(caller, 0, 400);
    const rtpDigit = nextDtmf((e) => e.id === id && e.source === 'rfc4733');
    const playing = engine.play(id, 'hold_music', {}, { bargeIn: true });
    caller.sendDtmf('5');
    const d = await rtpDigit;
    assert.equal(d.digit, '5');
    assert.deepEqual(await playing, { reason: 'interrupted', digit: '5' });

    const info = nextDtmf((e) => e.id === id && e.source === 'sip-info');
    const playing2 = engine.play(id, 'hold_music', {}, { bargeIn: true });
    await engine.injectDtmf(id, '#', 160);
    assert.equal((await info).digit, '#');
    assert.deepEqual(await playing2, { reason: 'interrupted', digit: '#' });

    const looping = engine.play(id, 'hold_music');
    await engine.stopPlay(id);
    assert.equal((await looping).reason, 'stopped');
    stop();
    await engine.destroy(id);
  });

  test('records the caller (left) and the prompt (right) to a two-channel WAV', async () => {
    const { caller, id } = await call();
    const path = join(dir, 'call.wav');
    await engine.record(id, path);
    const stop = pump(caller, 3000, 100);
    await engine.play(id, 'voicemail_beep');
    await new Promise((r) => setTimeout(r, 600));
    stop();
    await engine.stopRecord(id);
    const wav = parseWav(new Uint8Array(await readFile(path)));
    assert.equal(wav.channels, 2);
    assert.equal(wav.sampleRate, 8000);
    const samples = decodeWavSamples(wav);
    assert.ok(wav.frames > 8000 * 0.5, `${wav.frames} frames`);
    assert.ok(rms(samples, 0, 2) > 1000, `caller rms ${rms(samples, 0, 2)}`);
    assert.ok(rms(samples, 1, 2) > 300, `prompt rms ${rms(samples, 1, 2)}`);
    await engine.destroy(id);
  });

  test('bridges two endpoints: each caller hears the other, relayed', async () => {
    const a = await call();
    const b = await call({ colocateWith: a.id });
    await engine.bridge(a.id, b.id);
    const bHears = hearLoud(b.caller, 10, 1500);
    const aHears = hearLoud(a.caller, 10, 1500);
    const stopA = pump(a.caller, 2000, 300);
    const stopB = pump(b.caller, 2500, 300);
    assert.equal(await bHears, 10);
    assert.equal(await aHears, 10);
    // Record leg A while bridged: left = A's caller, right = what A hears (B's caller).
    const path = join(dir, 'bridged.wav');
    await engine.record(a.id, path);
    await new Promise((r) => setTimeout(r, 800));
    await engine.stopRecord(a.id);
    stopA();
    stopB();
    const wav = parseWav(new Uint8Array(await readFile(path)));
    const samples = decodeWavSamples(wav);
    assert.ok(rms(samples, 0, 2) > 1000, `A rms ${rms(samples, 0, 2)}`);
    assert.ok(rms(samples, 1, 2) > 1000, `B rms ${rms(samples, 1, 2)}`);
    await engine.unbridge(a.id);
    await engine.destroy(a.id);
    await engine.destroy(b.id);
  });

  test('typed errors: unknown endpoint, bridge across workers, unknown prompt', async () => {
    await assert.rejects(engine.play('nope', 'greeting'), (e) =>
      isMediaError(e, MediaErrorCode.EndpointUnknown),
    );
    const a = await call();
    const b = await call(); // round-robin: the other worker
    await assert.rejects(engine.bridge(a.id, b.id), (e) =>
      isMediaError(e, MediaErrorCode.BridgeUnsupported),
    );
    await assert.rejects(engine.play(a.id, 'no_such_prompt'), (e) =>
      isMediaError(e, MediaErrorCode.PromptUnknown),
    );
    await assert.rejects(engine.createEndpoint({ remoteSdpOffer: 'v=0\r\n' }));
    // no destroy: close() must cascade
  });

  test('close() is idempotent and cascades', async () => {
    const other = await MediaEngine.start({
      workers: 1,
      promptDir: join(dir, 'p2'),
      prepare: false,
    });
    const offer = buildAudioOffer({ address: '127.0.0.1', port: 40000 });
    const ep = await other.createEndpoint({ remoteSdpOffer: offer });
    const playing = other.play(ep.id, 'hold_music');
    await Promise.all([other.close(), other.close()]);
    assert.equal((await playing).reason, 'destroyed');
    await assert.rejects(other.createEndpoint(), (e) => isMediaError(e, MediaErrorCode.Closed));
  });
});
