import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JitterBuffer } from '../src/index.ts';

function packet(value: number, samples = 160): Int16Array {
  return new Int16Array(samples).fill(value);
}

function play(jb: JitterBuffer, ticks: number): number[] {
  const out = new Int16Array(160);
  const got: number[] = [];
  for (let i = 0; i < ticks; i++) {
    const real = jb.getFrame(out);
    got.push(real ? out[0]! : out[0] === 0 ? 0 : -out[0]!); // negative marks concealment
  }
  return got;
}

describe('JitterBuffer', () => {
  test('plays after the configured delay, in timestamp order despite reordering', () => {
    const jb = new JitterBuffer({ delayMs: 40 });
    const out = new Int16Array(160);
    assert.equal(jb.getFrame(out), false); // nothing yet
    const base = 0xffffff00; // timestamps wrap during the test
    jb.put(base, packet(1));
    jb.put(base + 320, packet(3)); // arrives before #2
    jb.put((base + 160) >>> 0, packet(2));
    jb.put((base + 480) >>> 0, packet(4));
    assert.deepEqual(
      play(jb, 6),
      [0, 0, 1, 2, 3, 4].map((v, i) => (i < 2 ? 0 : v)),
    );
  });

  test('loss is concealed for 20 ms at falling gain, then silence; late packets dropped', () => {
    const jb = new JitterBuffer({ delayMs: 20 });
    jb.put(1000, packet(100));
    jb.put(1320, packet(300)); // 1160 lost
    assert.deepEqual(play(jb, 1), [0]); // delay
    assert.deepEqual(play(jb, 1), [100]);
    assert.deepEqual(play(jb, 1), [-50]); // concealed
    assert.deepEqual(play(jb, 1), [300]);
    jb.put(1160, packet(200)); // too late
    assert.equal(jb.late, 1);
    assert.deepEqual(play(jb, 2), [-150, 0]);
    assert.equal(jb.concealed, 4); // two 10 ms blocks per gap
    assert.equal(jb.depthSamples, 0);
  });

  test('30 ms packets and a timestamp jump (new talkspurt / restart) resync', () => {
    const jb = new JitterBuffer({ delayMs: 60 });
    for (let i = 0; i < 4; i++) jb.put(i * 240, packet(i + 1, 240));
    const first = play(jb, 9);
    assert.deepEqual(first.slice(3), [1, 1, 2, 3, 3, 4]);
    jb.put(5_000_000, packet(9));
    assert.equal(jb.resyncs, 1);
    assert.deepEqual(play(jb, 4).slice(3), [9]);
  });

  test('a sender whose clock runs 3 % slow is resynchronised, not dropped for good', () => {
    const jb = new JitterBuffer({ delayMs: 60 });
    const out = new Int16Array(160);
    let sent = 0;
    let heard = 0;
    // 20 s of our ticks; the sender manages 97 frames per 100 of them.
    for (let tick = 0; tick < 1000; tick++) {
      while (sent < Math.floor(tick * 0.97)) jb.put(sent++ * 160, packet(7));
      if (jb.getFrame(out) && out[0] === 7) heard++;
    }
    assert.ok(jb.resyncs >= 3, `${jb.resyncs} resyncs`);
    assert.ok(heard >= sent * 0.9, `heard ${heard} of ${sent} frames`);
    // A straggler older than the newest packet is still only counted late.
    const late = jb.late;
    jb.put((sent - 30) * 160, packet(7));
    assert.equal(jb.late, late + 1);
  });

  test('validates sizes', () => {
    assert.throws(() => new JitterBuffer({ delayMs: 25 }), { code: 'MEDIA_INVALID_ARGUMENT' });
    assert.throws(() => new JitterBuffer({ delayMs: 100, capacityMs: 100 }), {
      code: 'MEDIA_INVALID_ARGUMENT',
    });
  });

  test('a new timestamp base while audio is buffered: the new stream follows, none lost', () => {
    const jb = new JitterBuffer({ delayMs: 60 });
    for (let k = 0; k < 3; k++) jb.put(1_000_000 + k * 160, packet(1 + k));
    // New SSRC / restarted timestamps, lower than the old ones (a straggler would be
    // behind the head by less than the window).
    jb.put(5000, packet(4));
    jb.put(5160, packet(5));
    assert.deepEqual(play(jb, 8), [0, 0, 0, 1, 2, 3, 4, 5]);
    assert.equal(jb.late, 0);
    assert.equal(jb.resyncs, 1);
    // And ahead of the head beyond the window, too.
    jb.put(5320, packet(6));
    jb.put(9_000_000, packet(7));
    assert.deepEqual(play(jb, 2), [6, 7]);
  });

  test('overflow: a burst longer than the window keeps the newest audio, drops the oldest', () => {
    const jb = new JitterBuffer({ delayMs: 60, capacityMs: 200 });
    // 400 ms of contiguous audio arrives before playout takes anything (a long stall).
    for (let k = 0; k < 20; k++) jb.put(k * 160, packet(1000 + k));
    assert.equal(jb.resyncs, 0, 'a continuing stream is not resynchronised');
    assert.equal(jb.overflowed, 2 * 20 - 20, 'the oldest 200 ms of blocks made room');
    const got = play(jb, 10);
    assert.deepEqual(got, [1010, 1011, 1012, 1013, 1014, 1015, 1016, 1017, 1018, 1019]);
    // A real jump (new timestamp base) far past the head still resynchronises.
    jb.put(9_000_000, packet(7));
    assert.equal(jb.resyncs, 1);
  });

  test('after a stall the delay shrinks back to target in quiet blocks; speech is never cut', () => {
    const jb = new JitterBuffer({ delayMs: 60 });
    const out = new Int16Array(160);
    const loudSent: number[] = [];
    const loudHeard: number[] = [];
    const level = (k: number) => (k % 75 < 50 ? 1000 + k : 20); // 1 s speech, 0.5 s pause
    let next = 0;
    const send = (until: number) => {
      for (; next < until; next++) {
        if (level(next) >= 1000) loudSent.push(level(next));
        jb.put(next * 160, packet(level(next)));
      }
    };
    const frame = () => {
      if (jb.getFrame(out) && out[0]! >= 1000) loudHeard.push(out[0]!);
    };
    const depthAt = new Map<number, number>();
    for (let tick = 0; tick < 1500; tick++) {
      if (tick % 300 === 100) {
        // The loop stalls 400 ms; the clock's frames come first, then the burst.
        for (let i = 0; i < 20; i++) frame();
        tick += 20;
        send(tick);
        continue;
      }
      send(tick);
      frame();
      depthAt.set(tick, jb.bufferedSamples / 8);
    }
    while (jb.bufferedSamples > 0) frame(); // drain, as a stopping recording does
    assert.deepEqual(loudHeard, loudSent, 'every loud frame played once, in order');
    assert.equal(jb.overflowed, 0);
    assert.ok(jb.resyncs >= 5, `${jb.resyncs} resyncs (late head after each stall)`);
    assert.ok(jb.shrunk > 0, 'the delay was shrunk');
    // Each stall leaves playout ~400 ms behind; 3 s later (two pauses) it is back near
    // the 60 ms target again.
    for (const stall of [100, 400, 700, 1000, 1300]) {
      assert.ok(
        depthAt.get(stall + 30)! >= 300,
        `depth ${depthAt.get(stall + 30)} ms after the stall`,
      );
      const later = depthAt.get(stall + 150)!;
      assert.ok(later <= 100, `depth ${later} ms 3 s after the stall at tick ${stall}`);
    }
  });

  test('jitter alone does not shrink the delay', () => {
    const jb = new JitterBuffer({ delayMs: 60 });
    const out = new Int16Array(160);
    let k = 0;
    for (let tick = 0; tick < 1000; tick++) {
      // Packets arrive in pairs every 40 ms (20 ms of jitter), all quiet.
      if (tick % 2 === 0) {
        jb.put(k++ * 160, packet(5));
        jb.put(k++ * 160, packet(5));
      }
      jb.getFrame(out);
    }
    assert.equal(jb.shrunk, 0);
    assert.equal(jb.late, 0);
  });
});
