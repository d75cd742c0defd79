import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MediaClock, VirtualScheduler } from '../src/index.ts';

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
});
