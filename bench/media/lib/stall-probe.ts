/**
 * Host stall probe (forked by prompt-bench.ts beside the sender under test): for one
 * window it sleeps 1 ms at a time with `Atomics.wait` and records how late each wake-up
 * is. Nothing on the machine can send on time while this thread cannot wake on time, so
 * its lateness is the floor of any sender's send jitter in the same window — a VM whose
 * host steals the CPU shows up here as wake-ups tens of ms late, whoever's code runs.
 * It costs ~1,000 short wake-ups a second (well under 1 % of a core).
 *
 * Parent → {type:'start', ms}; child → {type:'probe', p50, p99, max, over2, stalledMs}.
 */
const send = (m: unknown) => process.send?.(m);
process.on('disconnect', () => process.exit(0));

const cell = new Int32Array(new SharedArrayBuffer(4));

function probe(ms: number) {
  const late: number[] = [];
  const end = performance.now() + ms;
  for (let t = performance.now(); t < end; ) {
    Atomics.wait(cell, 0, 0, 1);
    const now = performance.now();
    late.push(Math.max(0, now - t - 1));
    t = now;
  }
  late.sort((a, b) => a - b);
  const at = (q: number) => late[Math.min(late.length - 1, Math.floor(q * late.length))] ?? 0;
  const over = late.filter((l) => l > 2);
  return {
    type: 'probe',
    p50: at(0.5),
    p99: at(0.99),
    max: late.at(-1) ?? 0,
    over2: over.length,
    stalledMs: over.reduce((a, b) => a + b, 0),
  };
}

process.on('message', (m: { type: string; ms?: number }) => {
  if (m.type === 'start') send(probe(m.ms ?? 1000));
  else if (m.type === 'exit') process.exit(0);
});
send({ type: 'ready' });
