import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, SipErrorCode, SipStackError, StateMachine } from '../src/index.ts';

test('ManualClock fires due timers in order and only when advanced', () => {
  const clock = new ManualClock();
  const log: string[] = [];
  clock.schedule(200, () => log.push(`b@${clock.now()}`));
  clock.schedule(100, () => {
    log.push(`a@${clock.now()}`);
    clock.schedule(50, () => log.push(`c@${clock.now()}`));
  });
  const cancelled = clock.schedule(120, () => log.push('never'));
  cancelled.cancel();
  clock.advance(99);
  assert.deepEqual(log, []);
  clock.advance(1000);
  assert.deepEqual(log, ['a@100', 'c@150', 'b@200']);
  assert.equal(clock.now(), 1099);
  assert.equal(clock.pending, 0);
});

test('StateMachine: listed transitions pass, others throw a typed error', () => {
  const fsm = new StateMachine<'a' | 'b' | 'c'>('test', 'a', { a: ['b'], b: ['c'], c: [] });
  fsm.transition('b');
  assert.equal(fsm.state, 'b');
  assert.throws(
    () => fsm.transition('a'),
    (e: unknown) => e instanceof SipStackError && e.code === SipErrorCode.IllegalTransition,
  );
  fsm.transition('c');
  assert.throws(() => fsm.transition('c'), SipStackError);
});
