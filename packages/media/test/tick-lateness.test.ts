import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TickLateness } from '../src/index.ts';

test('tick lateness percentiles from the fixed histogram', () => {
  const t = new TickLateness();
  assert.deepEqual(t.report(0), { ticks: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, skippedTicks: 0 });
  for (let i = 0; i < 99; i++) t.record(1.01);
  t.record(30);
  t.record(-1); // early timers count as on time
  const r = t.report(3);
  assert.equal(r.ticks, 101);
  assert.ok(Math.abs(r.p50Ms - 1.05) < 1e-9);
  assert.ok(Math.abs(r.p99Ms - 1.05) < 1e-9);
  assert.equal(r.maxMs, 30);
  assert.equal(r.skippedTicks, 3);
  t.record(500); // beyond the histogram: top bucket, exact max
  assert.equal(t.report(0).maxMs, 500);
  t.reset();
  assert.equal(t.report(0).ticks, 0);
});
