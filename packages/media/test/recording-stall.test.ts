/**
 * A recording keeps every frame of the caller's audio through event-loop stalls and up to
 * the moment it stops. The endpoint is driven by hand the way the worker's clock drives it
 * (pullCaller + tick per frame, pullCaller + recordSkippedFrame for frames a stall made
 * the clock skip), over real loopback sockets, so the order of "clock first, then the
 * burst of packets that queued during the stall" is the test's to choose.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkerEndpoint } from '../src/engine/worker-endpoint.ts';
import { bindUdpSocket } from '../src/port/bind-udp-socket.ts';
import { decodeWavSamples, parseWav, RtpSession } from '../src/index.ts';

let dir: string;
/** Closed after the tests, whether they passed or not (close is safe twice). */
const open: { close(): unknown }[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'uketsuke-rec-stall-'));
});
after(async () => {
  for (const o of open) await o.close();
  await rm(dir, { recursive: true, force: true });
});

const LEVEL = 3000;
const loud = new Int16Array(160).map((_, i) => (i % 2 === 0 ? LEVEL : -LEVEL));
const quiet = new Int16Array(160);

async function setUp() {
  const caller = await RtpSession.open({
    localAddress: '127.0.0.1',
    remoteAddress: '127.0.0.1',
    remotePort: 9,
    codec: 'PCMU',
  });
  const rtp = await bindUdpSocket('127.0.0.1', 0);
  const errors: unknown[] = [];
  const ep = new WorkerEndpoint(
    'rec',
    { rtp },
    {
      dtmf: () => {},
      latched: () => {},
      error: (_id, e) => errors.push(e),
    },
  );
  ep.start({
    codec: 'PCMU',
    payloadType: 0,
    clockRate: 8000,
    telephoneEventPt: undefined,
    ptimeMs: 20,
    remoteAddress: '127.0.0.1',
    remotePort: caller.localPort,
    remoteRtcpPort: caller.localPort + 1,
    rtcpMux: false,
    direction: 'sendrecv',
    mediaIndex: 0,
  });
  open.push(caller, ep);
  caller.relatch({ address: '127.0.0.1', port: ep.localPort });
  let sent = 0;
  let loudSent = 0;
  let tick = 0;
  return {
    ep,
    errors,
    caller,
    /** The caller says one frame (it reaches the socket; nobody has read it yet). */
    say(frame: Int16Array) {
      caller.sendFrame(frame);
      sent++;
      if (frame === loud) loudSent++;
    },
    get loudSent() {
      return loudSent;
    },
    /** Let the event loop read everything the caller sent. */
    async arrive() {
      for (let i = 0; i < 200 && ep.stats().packetsReceived < sent; i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(ep.stats().packetsReceived, sent, 'all packets reached the endpoint');
    },
    /** One clock frame, as the worker delivers it. */
    frame() {
      ep.pullCaller();
      ep.tick(++tick, 20);
    },
    skipped() {
      ep.pullCaller();
      ep.recordSkippedFrame();
    },
  };
}

/** Samples of the recording's left (caller) channel at the loud level. */
async function loudCallerSamples(path: string): Promise<number> {
  const samples = decodeWavSamples(parseWav(new Uint8Array(await readFile(path))));
  let n = 0;
  for (let i = 0; i < samples.length; i += 2) if (Math.abs(samples[i]!) > LEVEL / 2) n++;
  return n;
}

describe('recording through stalls', () => {
  test('stalls with the clock first, then the burst: every caller frame is recorded', async () => {
    const c = await setUp();
    const path = join(dir, 'stalls.wav');
    await c.ep.record(path);
    for (let cycle = 0; cycle < 4; cycle++) {
      for (let i = 0; i < 10; i++) {
        c.say(loud);
        await c.arrive();
        c.frame();
      }
      // A 300 ms stall: 15 frames queue in the socket. When the loop wakes, the clock
      // runs first: 10 frames skipped (replayed for the recording), 5 delivered.
      for (let i = 0; i < 15; i++) c.say(loud);
      for (let i = 0; i < 10; i++) c.skipped();
      for (let i = 0; i < 5; i++) c.frame();
      await c.arrive();
    }
    for (let i = 0; i < 10; i++) {
      c.say(loud);
      await c.arrive();
      c.frame();
    }
    // The caller hangs up: what the jitter buffer still holds is written at the stop.
    await c.ep.stopRecord();
    assert.equal(await loudCallerSamples(path), c.loudSent * 160);
    assert.deepEqual(c.errors, []);
    c.caller.close();
    await c.ep.close();
  });

  test('close() drains the buffered tail too, and quiet pauses bring the delay back', async () => {
    const c = await setUp();
    const path = join(dir, 'tail.wav');
    await c.ep.record(path);
    c.say(loud);
    await c.arrive();
    c.frame();
    // A 600 ms stall with the clock first: playout is then ~600 ms behind the caller.
    for (let i = 0; i < 30; i++) c.say(loud);
    for (let i = 0; i < 30; i++) c.skipped();
    await c.arrive();
    // 3 s of pause, then the last words, and the call ends without another tick.
    for (let i = 0; i < 150; i++) {
      c.say(quiet);
      await c.arrive();
      c.frame();
    }
    for (let i = 0; i < 3; i++) c.say(loud);
    await c.arrive();
    c.caller.close();
    await c.ep.close();
    const recorded = await loudCallerSamples(path);
    assert.equal(recorded, c.loudSent * 160);
    // The pause absorbed the stall's delay: the drain wrote only what followed the
    // 60 ms target (about 6 frames), not the ~600 ms the stall had put behind.
    const wav = parseWav(new Uint8Array(await readFile(path)));
    const clockFrames = 1 + 30 + 150;
    assert.ok(wav.frames / 160 <= clockFrames + 8, `${wav.frames / 160 - clockFrames} drained`);
  });
});
