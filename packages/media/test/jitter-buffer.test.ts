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
});
