import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, SipHeaders } from '../src/index.ts';
import { TimerQueues } from '../src/transaction/timer-queues.ts';

test('TimerQueues: each delay fires in start order at its deadline, one clock timer per delay', () => {
  const clock = new ManualClock();
  const queues = new TimerQueues(clock);
  const log: string[] = [];
  queues.start('a', 1000, () => log.push(`a@${clock.now()}`));
  clock.advance(10);
  const b = queues.start('b', 1000, () => log.push(`b@${clock.now()}`));
  clock.advance(10);
  queues.start('c', 1000, () => log.push(`c@${clock.now()}`));
  queues.start('g', 500, () => log.push(`g@${clock.now()}`));
  assert.equal(clock.pending, 2);
  queues.cancel(b);
  clock.advance(979);
  assert.deepEqual(log, ['g@520']);
  clock.advance(1);
  assert.deepEqual(log, ['g@520', 'a@1000']);
  clock.advance(100);
  assert.deepEqual(log, ['g@520', 'a@1000', 'c@1020']);
  assert.equal(clock.pending, 0);
});

test('TimerQueues: a timer started or cancelled while others fire keeps its own deadline', () => {
  const clock = new ManualClock();
  const queues = new TimerQueues(clock);
  const log: string[] = [];
  let later: ReturnType<TimerQueues['start']> | undefined;
  queues.start('a', 100, () => {
    log.push(`a@${clock.now()}`);
    // Restarted from its own callback (Timer G doubling would use another delay).
    queues.start('a2', 100, () => log.push(`a2@${clock.now()}`));
    if (later !== undefined) queues.cancel(later);
  });
  clock.advance(50);
  later = queues.start('x', 100, () => log.push('never'));
  clock.advance(1000);
  assert.deepEqual(log, ['a@100', 'a2@200']);
  assert.equal(clock.pending, 0);
});

test('TimerQueues: cancelling every timer of a delay leaves nothing on the clock', () => {
  const clock = new ManualClock();
  const queues = new TimerQueues(clock);
  const entries = [1, 2, 3].map((n) => queues.start(String(n), 32_000, () => assert.fail()));
  for (const e of entries) queues.cancel(e);
  queues.cancel(entries[0]!); // idempotent
  assert.equal(clock.pending, 0);
  clock.advance(64_000);
});

test('TimerQueues: a TimerTarget gets its timer names back, cancelled ones never', () => {
  const clock = new ManualClock();
  const queues = new TimerQueues(clock);
  const fired: string[] = [];
  const target = { timerFired: (name: string) => fired.push(`${name}@${clock.now()}`) };
  queues.start('J', 32_000, target);
  const g = queues.start('G', 500, target);
  queues.start('L', 32_000, target);
  queues.cancel(g);
  clock.advance(32_000);
  assert.deepEqual(fired, ['J@32000', 'L@32000']);
  assert.equal(clock.pending, 0);
});

test('SipHeaders.detached copies fields and values (same names, same text)', () => {
  const h = new SipHeaders();
  h.append('Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1');
  h.append('To', '<sip:a@example.com>;tag=abc');
  const d = h.detached();
  assert.deepEqual([...d], [...h]);
  assert.notEqual([...d][0], [...h][0]);
  d.set('To', '<sip:b@example.com>');
  assert.equal(h.get('to'), '<sip:a@example.com>;tag=abc');
});
