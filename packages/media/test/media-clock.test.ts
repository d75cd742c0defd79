import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MediaClock,
  type ReusableTimer,
  realTimerScheduler,
  SendJitter,
  type TimerScheduler,
  VirtualScheduler,
} from '../src/index.ts';

/** A scheduler moved by hand: `now` is set by the test, `pending` is the armed timer. */
function handScheduler() {
  const h = {
    now: 0,
    pending: undefined as { cb: () => void; at: number } | undefined,
    sleeps: [] as number[],
    scheduler: {
      now: () => h.now,
      setTimer: (cb: () => void, delayMs: number) => {
        h.pending = { cb, at: h.now + delayMs };
        return { id: 1 };
      },
      clearTimer: () => {
        h.pending = undefined;
      },
      sleepPrecisely: (ms: number) => {
        h.sleeps.push(ms);
        h.now += ms;
      },
    },
  };
  return h;
}

describe('MediaClock (one timer for all calls)', () => {
  test('ticks every 20 ms of virtual time for every listener, with a single timer', () => {
    const scheduler = new VirtualScheduler();
    const clock = new MediaClock({ scheduler });
    const a: number[] = [];
    let b = 0;
    const stopA = clock.add((tick) => a.push(tick));
    clock.add(() => b++);
    for (let i = 0; i < 200; i++) clock.add(() => {}); // many calls, still one timer
    assert.equal(scheduler.pendingTimers, 1);
    scheduler.advance(1000);
    assert.equal(a.length, 50);
    assert.deepEqual(a.slice(0, 3), [1, 2, 3]);
    assert.equal(b, 50);
    stopA();
    stopA();
    scheduler.advance(3_600_000); // an hour of calls in no time
    assert.equal(a.length, 50);
    assert.equal(b, 50 + 180_000);
    assert.equal(clock.skippedTicks, 0);
    clock.close();
    assert.equal(scheduler.pendingTimers, 0);
    clock.close();
  });

  test('earlyWakeMs: the timer is set that much early and the rest is slept precisely', () => {
    const h = handScheduler();
    const { scheduler, sleeps } = h;
    const clock = new MediaClock({ scheduler, phases: 4, earlyWakeMs: 1.5 });
    const seen: [number, number, number][] = [];
    clock.add((tick, phase) => seen.push([tick, phase, h.now]));
    for (let i = 0; i < 8; i++) {
      const timer = h.pending!;
      assert.ok(Math.abs(timer.at - ((i + 1) * 5 - 1.5)) < 1e-9); // 1.5 ms before the sub-tick
      h.now = timer.at + 0.4; // the event loop's timer is a little late, as usual
      timer.cb();
    }
    assert.deepEqual(
      seen.map(([tick, phase]) => [tick, phase]),
      [
        [1, 0],
        [1, 1],
        [1, 2],
        [1, 3],
        [2, 0],
        [2, 1],
        [2, 2],
        [2, 3],
      ],
    );
    // Every listener ran exactly on its deadline, after sleeping the remaining 1.1 ms.
    assert.deepEqual(
      seen.map(([, , at]) => Math.round(at * 1e6) / 1e6),
      [5, 10, 15, 20, 25, 30, 35, 40],
    );
    for (const ms of sleeps) assert.ok(Math.abs(ms - 1.1) < 1e-9);
    clock.close();
  });

  test('precisionWanted: sub-ticks nobody needs precise are neither early nor slept', () => {
    const h = handScheduler();
    const { scheduler, sleeps } = h;
    const asked: number[] = [];
    const clock = new MediaClock({
      scheduler,
      phases: 4,
      earlyWakeMs: 1.5,
      precisionWanted: (phase) => {
        asked.push(phase);
        return phase % 2 === 0; // phases 1 and 3 send nothing from the clock
      },
    });
    const seen: [number, number][] = [];
    clock.add((_tick, phase) => seen.push([phase, h.now]));
    for (let i = 0; i < 4; i++) {
      const timer = h.pending!;
      const early = i % 2 === 0 ? 1.5 : 0;
      assert.ok(Math.abs(timer.at - ((i + 1) * 5 - early)) < 1e-9, `sub-tick ${i}`);
      h.now = timer.at + 0.4;
      timer.cb();
    }
    assert.deepEqual(asked.slice(0, 4), [0, 1, 2, 3]);
    assert.deepEqual(
      seen.map(([phase, at]) => [phase, Math.round(at * 1e6) / 1e6]),
      [
        [0, 5],
        [1, 10.4], // on the event loop's timer, late as usual, but the loop never blocked
        [2, 15],
        [3, 20.4],
      ],
    );
    assert.equal(sleeps.length, 2);
    assert.ok(Math.abs(clock.sleptMs - 2 * 1.1) < 1e-9); // 1.5 early, timer 0.4 late
    clock.close();
  });

  test('timer stops without listeners and restarts on demand', () => {
    const scheduler = new VirtualScheduler();
    const clock = new MediaClock({ scheduler });
    const off = clock.add(() => {});
    off();
    assert.equal(scheduler.pendingTimers, 0);
    let n = 0;
    clock.add(() => n++);
    scheduler.advance(100);
    assert.equal(n, 5);
  });

  test('a stalled loop catches up a bounded number of ticks; errors are isolated', () => {
    let now = 0;
    let pending: (() => void) | undefined;
    const scheduler = {
      now: () => now,
      setTimer: (cb: () => void) => {
        pending = cb;
        return { id: 1 };
      },
      clearTimer: () => {
        pending = undefined;
      },
    };
    const errors: unknown[] = [];
    const clock = new MediaClock({
      scheduler,
      maxCatchUpTicks: 3,
      onListenerError: (e) => errors.push(e),
    });
    let ticks = 0;
    clock.add(() => ticks++);
    clock.add(() => {
      throw new Error('boom');
    });
    now = 200; // the event loop was blocked for 10 frames
    pending?.();
    assert.equal(ticks, 3);
    assert.equal(clock.skippedTicks, 7);
    assert.equal(errors.length, 3);
    now = 220;
    pending?.();
    assert.equal(ticks, 4);
  });

  test('phases: each frame is delivered in sub-ticks frameMs/phases apart', () => {
    const scheduler = new VirtualScheduler();
    const clock = new MediaClock({ scheduler, phases: 4 });
    const seen: string[] = [];
    clock.add((tick, phase) => seen.push(`${tick}.${phase}@${scheduler.now()}`));
    assert.equal(scheduler.pendingTimers, 1);
    scheduler.advance(40);
    assert.deepEqual(seen, [
      '1.0@5',
      '1.1@10',
      '1.2@15',
      '1.3@20',
      '2.0@25',
      '2.1@30',
      '2.2@35',
      '2.3@40',
    ]);
    clock.close();
  });

  test('phases: a stall skips whole frames, so frames still start at phase 0', () => {
    let now = 0;
    let pending: (() => void) | undefined;
    const clock = new MediaClock({
      scheduler: {
        now: () => now,
        setTimer: (cb: () => void) => {
          pending = cb;
          return { id: 1 };
        },
        clearTimer: () => {
          pending = undefined;
        },
      },
      phases: 4,
      maxCatchUpTicks: 2,
    });
    const seen: number[] = [];
    clock.add((_tick, phase) => seen.push(phase));
    now = 5;
    pending?.();
    assert.deepEqual(seen, [0]);
    now = 203; // 39 sub-ticks behind, at most 2 frames (8) replayed: 8 frames skipped
    seen.length = 0;
    pending?.();
    assert.equal(clock.skippedTicks, 8);
    assert.deepEqual(seen, [1, 2, 3, 0, 1, 2, 3]); // phase order kept across the skip
    assert.equal(clock.tickDeadline, 200);
  });

  test('onSkippedFrames hears of skipped frames before the ticks still delivered', () => {
    const h = handScheduler();
    const seen: string[] = [];
    const clock = new MediaClock({
      scheduler: h.scheduler,
      maxCatchUpTicks: 2,
      onSkippedFrames: (frames) => seen.push(`skipped ${frames}`),
    });
    clock.add((tick) => seen.push(`tick ${tick}`));
    h.now = 20;
    h.pending?.cb();
    h.now = 150; // 6 frames due, 2 delivered
    h.pending?.cb();
    assert.deepEqual(seen, ['tick 1', 'skipped 4', 'tick 2', 'tick 3']);
    h.now = 170;
    h.pending?.cb();
    assert.deepEqual(seen.slice(4), ['tick 4']);
    clock.close();
  });
});

describe('re-armable timers (no timer object per wake-up)', () => {
  test('the clock re-arms the scheduler timer instead of creating one per tick', () => {
    const virtual = new VirtualScheduler();
    let created = 0;
    let starts = 0;
    const scheduler: TimerScheduler = {
      now: () => virtual.now(),
      setTimer: () => assert.fail('setTimer used although createTimer exists'),
      clearTimer: () => {},
      createTimer(callback): ReusableTimer {
        created++;
        let handle: ReturnType<VirtualScheduler['setTimer']> | undefined;
        return {
          start(delayMs) {
            starts++;
            if (handle !== undefined) virtual.clearTimer(handle);
            handle = virtual.setTimer(() => {
              handle = undefined;
              callback();
            }, delayMs);
          },
          stop() {
            if (handle !== undefined) virtual.clearTimer(handle);
            handle = undefined;
          },
        };
      },
    };
    const clock = new MediaClock({ scheduler, phases: 4 });
    const seen: number[] = [];
    let late = 0;
    let offLate = () => {};
    clock.add((tick, phase) => {
      seen.push(phase);
      if (tick === 2 && phase === 0) offLate(); // removed before its turn in this sub-tick
    });
    offLate = clock.add(() => late++);
    virtual.advance(100);
    assert.equal(created, 1);
    assert.equal(seen.length, 20);
    assert.equal(starts, 21); // one per sub-tick, plus the first
    assert.equal(late, 4); // frame 1's four sub-ticks; frame 2's came after the removal
    clock.close();
    assert.equal(virtual.pendingTimers, 0);
    virtual.advance(100);
    assert.equal(seen.length, 20);
  });

  test('realTimerScheduler.createTimer fires, re-arms from its callback, and stops', async () => {
    const createTimer = realTimerScheduler.createTimer;
    assert.ok(createTimer);
    let fired = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const delays = [0, 0.4, 1, 2.7, 1, 3];
    const timer = createTimer(() => {
      fired++;
      if (fired < delays.length) timer.start(delays[fired]!);
      else done();
    });
    timer.start(delays[0]!);
    await finished;
    assert.equal(fired, delays.length);

    let stray = 0;
    const stopped = createTimer(() => stray++);
    stopped.start(2);
    stopped.stop();
    stopped.start(1); // a stopped timer can be armed again
    stopped.start(3); // replaces the pending wake-up
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(stray, 1);
    stopped.start(1);
    stopped.stop();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(stray, 1);
  });
});

describe('SendJitter (send timing against the 20 ms schedule)', () => {
  test('bounds interval changes by the first and last send of each group', () => {
    const j = new SendJitter(2, 20);
    // Group 0: perfectly periodic burst of 1 ms; group 1: the last send drifts by 3 ms.
    for (let f = 0; f < 100; f++) {
      j.record(0, 10, f * 20, f * 20 + 1);
      j.record(1, 10, 10 + f * 20, 10 + f * 20 + (f % 2 === 0 ? 1 : 4));
    }
    const r = j.report();
    assert.equal(r.samples, 198); // no sample for the first frame of each group
    assert.ok(r.maxMs >= 3 && r.maxMs < 3.01, `max ${r.maxMs}`);
    assert.ok(r.p50Ms <= 0.05, `p50 ${r.p50Ms}`); // group 0 is exact: half the samples
    j.reset();
    assert.equal(j.report().samples, 0);
  });

  test('a change of membership is not counted as jitter', () => {
    const j = new SendJitter(1, 20);
    j.record(0, 10, 0, 1);
    j.record(0, 11, 20, 30); // a stream joined: positions shifted, no sample
    j.record(0, 11, 40, 50);
    assert.equal(j.report().samples, 1);
    assert.equal(j.report().maxMs, 0);
    j.restart();
    j.record(0, 11, 500, 510);
    assert.equal(j.report().samples, 1);
  });
});
