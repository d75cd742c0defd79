import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GcAccounting } from '../src/index.ts';

test('GcAccounting counts bytes allocated since the last restart, collections included', () => {
  const gc = new GcAccounting();
  assert.equal(gc.report(), undefined); // not started
  gc.restart();
  // ~8 MB of short-lived arrays: enough to go through at least one scavenge.
  let keep = 0;
  for (let i = 0; i < 2000; i++) keep += new Array(1000).fill(i).length;
  assert.equal(keep, 2_000_000);
  const r = gc.report();
  assert.ok(r);
  assert.ok(r.allocatedBytes >= 4_000_000, `${r.allocatedBytes}`);
  assert.ok(r.seconds >= 0);
  assert.ok(r.pauseMs >= r.maxPauseMs);
  const again = gc.report(); // counting goes on: never less than before
  assert.ok(again && again.allocatedBytes >= r.allocatedBytes - 1_000_000);
  gc.restart();
  const fresh = gc.report();
  assert.ok(fresh && fresh.allocatedBytes < r.allocatedBytes);
});
