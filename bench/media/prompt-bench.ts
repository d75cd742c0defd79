/**
 * Concurrent prompt streams from one media worker (one core): N endpoints each play
 * looping hold music (PCMU, 20 ms, 50 packets/s) from the worker's single MediaClock.
 *
 * Send timing is measured in the worker (engine.clockStats): per tick, when the last
 * packet was handed to its socket minus the tick's ideal deadline — a bound on every
 * stream's send lateness. Lateness includes a steady offset (timers fire ≥ 1 ms after
 * their deadline), which is delay, not jitter: jitter p99 is taken as lateness p99 − p50.
 * A receiver process on the other core counts packets (loss)
 * and also reports the jitter it observes (each packet's deviation from its stream's
 * 20 ms grid, relative to the stream's median offset); that figure includes the
 * receiver's own scheduling and GC, so it is only a cross-check.
 *
 *   node bench/media/prompt-bench.ts --streams 500,1000,2000 --seconds 5 --runs 3
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAudioOffer, MediaEngine } from '@uketsuke/media';
import { arg, child, machine, median, next } from './lib/bench-util.ts';

const steps = arg('streams', '500,1000,1500,2000').split(',').map(Number);
const seconds = Number(arg('seconds', '5'));
const runs = Number(arg('runs', '3'));

interface Jitter {
  streams: number;
  packets: number;
  p50: number;
  p99: number;
  max: number;
}

interface StepResult extends Jitter {
  expected: number;
  cpu: number;
  /** Worker-side: last packet of each tick handed to the socket, minus the tick deadline. */
  sendP50: number;
  sendP99: number;
  sendMax: number;
  skipped: number;
}

async function step(engine: MediaEngine, n: number): Promise<StepResult> {
  const receiver = child('receiver', n);
  const ids: string[] = [];
  try {
    const { port } = await next<{ port: number }>(receiver, 'port');
    const offer = buildAudioOffer({ address: '127.0.0.1', port, codecs: ['PCMU'] });
    for (let i = 0; i < n; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, n - i) }, () =>
          engine.createEndpoint({ remoteSdpOffer: offer }),
        ),
      );
      for (const ep of batch) {
        ids.push(ep.id);
        void engine.play(ep.id, 'hold_music');
      }
    }
    await new Promise((r) => setTimeout(r, 1000)); // warm-up
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await engine.clockStats({ reset: true });
    receiver.send({ type: 'start' });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    receiver.send({ type: 'stop' });
    const [clock] = await engine.clockStats();
    const d = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const j = await next<Jitter>(receiver, 'jitter', 120_000);
    return {
      ...j,
      expected: Math.round((n * seconds * 1000) / 20),
      cpu: ((d.user + d.system) / 1000 / wall) * 100,
      sendP50: clock!.p50Ms,
      sendP99: clock!.p99Ms,
      sendMax: clock!.maxMs,
      skipped: clock!.skippedTicks,
    };
  } finally {
    await Promise.all(ids.map((id) => engine.destroy(id)));
    receiver.send({ type: 'exit' });
  }
}

const dir = await mkdtemp(join(tmpdir(), 'uketsuke-bench-'));
const engine = await MediaEngine.start({ workers: 1, promptDir: dir, prepare: false });
const results = new Map<number, StepResult[]>();
console.log(`# prompt-bench ${new Date().toISOString()} ${machine()}`);
console.log(`# ${process.argv.slice(1).join(' ')}`);
try {
  for (let run = 1; run <= runs; run++) {
    for (const n of steps) {
      const r = await step(engine, n);
      results.set(n, [...(results.get(n) ?? []), r]);
      console.log(
        `run ${run} streams ${String(n).padStart(5)}  packets ${r.packets}/${r.expected}  send-lateness p50 ${r.sendP50.toFixed(2)} p99 ${r.sendP99.toFixed(2)} max ${r.sendMax.toFixed(1)} ms (skipped ticks ${r.skipped})  receiver-observed p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} ms  engine cpu ${r.cpu.toFixed(0)} %`,
      );
    }
  }
} finally {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
}

console.log(
  '\n| streams | received / expected | send lateness p50 | send lateness p99 | jitter p99 (lateness p99 − p50) | receiver-observed jitter p99 | engine CPU |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|');
let best = 0;
for (const n of steps) {
  const rs = results.get(n) ?? [];
  const p99 = median(rs.map((r) => r.sendP99));
  const jitter = median(rs.map((r) => r.sendP99 - r.sendP50));
  const ratio = median(rs.map((r) => r.packets / r.expected));
  if (jitter < 2 && ratio >= 0.999) best = Math.max(best, n);
  console.log(
    `| ${n} | ${(ratio * 100).toFixed(2)} % | ${median(rs.map((r) => r.sendP50)).toFixed(2)} ms | ${p99.toFixed(2)} ms | ${jitter.toFixed(2)} ms | ${median(rs.map((r) => r.p99)).toFixed(2)} ms | ${median(rs.map((r) => r.cpu)).toFixed(0)} % |`,
  );
}
console.log(`\nhighest N with median jitter p99 < 2 ms and ≥ 99.9 % delivered: ${best}`);
