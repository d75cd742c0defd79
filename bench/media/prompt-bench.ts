/**
 * Concurrent prompt streams per core: N endpoints of one media worker (one core) each
 * play looping hold music (PCMU, 20 ms, 50 packets/s) from the worker's single
 * MediaClock, against the cheapest plain node:dgram sender we can write (mode `raw`,
 * lib/load-child.ts) in the same run.
 *
 * Send-timing jitter is measured where packets leave (port/send-jitter.ts): the engine
 * sends each 20 ms frame in 4 phases of 5 ms, a quarter of the streams each; per phase
 * and frame, the first and last send's interval change from 20 ms bounds every stream of
 * that phase (send time against the ideal 20 ms schedule). Also reported: lateness (last
 * send of a phase minus its ideal deadline; includes the steady ≥ 1 ms timer delay) and
 * CPU per packet. A receiver process on the other core counts packets (loss) and reports
 * the jitter it observes (each packet's deviation from its stream's 20 ms grid, relative
 * to the stream's median offset) — that includes the receiver's own scheduling, so it is
 * only a cross-check.
 *
 *   node bench/media/prompt-bench.ts --streams 500,1000,2000 --seconds 5 --runs 3 \
 *     [--modes engine,raw,raw-batch] [--receiver count|sink]
 *
 * `--receiver sink` sends to a port that never reads (lib/udp-sink.ts) instead of the
 * counting receiver: on a 2-core machine the receiver, waking for 100,000 packets a
 * second, takes a large share of the other core and competes with the sender under test
 * — in production the receivers are phones elsewhere. Loss is then not measured
 * ("received" shows packets sent).
 *
 * Each result line names its send path: the engine uses `native-batch` (one native call
 * per sub-tick, port/udp-batch.ts) when packages/media/native/build/udp-batch.node is
 * built, else `dgram`; UKETSUKE_MEDIA_NATIVE=0 forces `dgram` for an A/B. `raw` (the
 * reference peer) is always plain node:dgram; `raw-batch` is the same bare sender over
 * the native batch (needs the addon). UKETSUKE_MEDIA_EARLY_WAKE_MS=1.5 makes the engine's
 * clock wake 1.5 ms early and sleep the rest precisely (MediaClock earlyWakeMs; off by
 * default) — for an A/B of the timer's share of send jitter.
 *
 * Engine lines also give the worker's allocation rate and collections in the window
 * (`clockStats().gc`, engine/gc-accounting.ts): a steady state that allocates is paused
 * by scavenges and mark-compacts, and a pause of a few ms is send jitter. The receiver
 * also holds the port above its RTP port, so the streams' RTCP lands nowhere else.
 * bench/media/worker-alloc.ts names where a worker allocates.
 *
 * A host stall probe (lib/stall-probe.ts) runs through every window: a thread that only
 * sleeps 1 ms at a time and records how late it wakes. Its lateness is the floor of any
 * sender's jitter on this machine in that window (a VM host stealing the CPU stalls every
 * process alike), so each line carries it, and the summary also reports the windows in
 * which the probe woke more than 2 ms late at most 5 times ("quiet host").
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAudioOffer, MediaEngine, type SendJitterReport } from '@uketsuke/media';
import { fork } from 'node:child_process';
import { arg, child, load1, machine, median, next } from './lib/bench-util.ts';
import { startUdpSink } from './lib/udp-sink.ts';

const steps = arg('streams', '500,1000,1500,2000').split(',').map(Number);
const seconds = Number(arg('seconds', '5'));
const runs = Number(arg('runs', '3'));
const modes = arg('modes', 'engine,raw').split(',');
const counting = arg('receiver', 'count') !== 'sink';

interface Jitter {
  streams: number;
  packets: number;
  p50: number;
  p99: number;
  max: number;
  /** The host stall probe over the same window (added by {@link window}). */
  probe?: Probe;
}

interface StepResult {
  packets: number;
  expected: number;
  /** Receiver-observed jitter p99 (cross-check). */
  rxP99: number;
  cpu: number;
  /** Packets the sender handed to its sockets during the window. */
  sent: number;
  /** CPU per packet actually sent (a starved sender sends fewer). */
  usPerPacket: number;
  jitterP50: number;
  jitterP99: number;
  lateP50: number;
  lateP99: number;
  skipped: number;
  load: string;
  /** How the packets left: native-batch / dgram (engine), dgram (raw). */
  path: string;
  /** Engine: the worker's allocation rate (KiB/s) and collections in the window. */
  allocKiBps?: number;
  gc?: string;
  /** Engine: share of the window the worker's loop slept in early wake-ups, %. */
  blocked?: number;
  /** Host stall probe over the window (lib/stall-probe.ts). */
  probe?: Probe;
}

interface Probe {
  p50: number;
  p99: number;
  max: number;
  /** Wake-ups more than 2 ms late, and the time they were late in total. */
  over2: number;
  stalledMs: number;
}

const prober = fork(new URL('./lib/stall-probe.ts', import.meta.url), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
await next(prober, 'ready');

/** Where the streams go: the counting receiver child, or a sink that never reads. */
interface Receiver {
  port: number;
  start(): void;
  /** Ends the window: what the receiver saw (NaN figures for a sink). */
  stop(): Promise<Jitter>;
  exit(): void;
}

async function openReceiver(n: number): Promise<Receiver> {
  if (!counting) {
    const sink = await startUdpSink();
    const none = { streams: n, packets: Number.NaN, p50: Number.NaN, p99: Number.NaN };
    return {
      port: sink.port,
      start: () => {},
      stop: async () => ({ ...none, max: Number.NaN }),
      exit: () => sink.stop(),
    };
  }
  const c = child('receiver', n);
  const { port } = await next<{ port: number }>(c, 'port');
  return {
    port,
    start: () => c.send({ type: 'start' }),
    stop: () => {
      c.send({ type: 'stop' });
      return next<Jitter>(c, 'jitter', 120_000);
    },
    exit: () => c.send({ type: 'exit' }),
  };
}

/** Open the receiver's window for `seconds`; `atStop` runs as it closes. */
async function window<T>(receiver: Receiver, atStop: () => Promise<T>): Promise<[Jitter, T]> {
  receiver.start();
  const probed = next<Probe>(prober, 'probe', seconds * 1000 + 60_000);
  prober.send({ type: 'start', ms: seconds * 1000 });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const seen = receiver.stop();
  const stopped = await atStop();
  const probe = await probed;
  return [{ ...(await seen), probe }, stopped];
}

function finish(
  n: number,
  j: Jitter,
  cpu: number,
  sent: number,
  usPerPacket: number,
  jitter: SendJitterReport,
  late: [number, number],
  skipped: number,
  load: string,
  path: string,
): StepResult {
  const expected = Math.round((n * seconds * 1000) / 20);
  return {
    packets: Number.isNaN(j.packets) ? sent : j.packets,
    expected,
    rxP99: j.p99,
    cpu,
    sent,
    usPerPacket,
    jitterP50: jitter.p50Ms,
    jitterP99: jitter.p99Ms,
    lateP50: late[0],
    lateP99: late[1],
    skipped,
    load,
    path,
    probe: j.probe,
  };
}

async function engineStep(engine: MediaEngine, n: number): Promise<StepResult> {
  const receiver = await openReceiver(n);
  const ids: string[] = [];
  try {
    const port = receiver.port;
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
    const load = load1();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await engine.clockStats({ reset: true });
    const [j, [clock, d, wall]] = await window(receiver, async () => {
      const [c] = await engine.clockStats();
      return [c!, process.cpuUsage(cpu0), performance.now() - t0] as const;
    });
    const cpu = ((d.user + d.system) / 1000 / wall) * 100;
    const gc = clock.gc;
    // Each delivered sub-tick sends one of the send groups (n / phases streams).
    const sent = Math.round((clock.ticks * n) / (clock.sendPhases ?? 4));
    const result = finish(
      n,
      j,
      cpu,
      sent,
      (d.user + d.system) / Math.max(1, sent),
      clock.sendJitter ?? { samples: 0, p50Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN },
      [clock.p50Ms, clock.p99Ms],
      clock.skippedTicks,
      load,
      clock.sendPath ?? 'dgram',
    );
    result.blocked = ((clock.earlyWakeSleptMs ?? 0) / wall) * 100;
    if (gc !== undefined) {
      result.allocKiBps = gc.allocatedBytes / gc.seconds / 1024;
      const kinds = Object.entries(gc.collections).map(([k, c]) => `${k}×${c}`);
      result.gc = `${kinds.join(' ') || 'none'}${kinds.length ? ` (max pause ${gc.maxPauseMs.toFixed(1)} ms)` : ''}`;
    }
    return result;
  } finally {
    await Promise.all(ids.map((id) => engine.destroy(id)));
    receiver.exit();
  }
}

async function rawStep(n: number, native: boolean): Promise<StepResult> {
  const receiver = await openReceiver(n);
  const sender = child(native ? 'raw-batch' : 'raw-sender', n);
  try {
    sender.send({ port: receiver.port });
    await next(sender, 'ready');
    await new Promise((r) => setTimeout(r, 1000)); // warm-up
    const load = load1();
    sender.send({ type: 'start' });
    const [j, r] = await window(receiver, () => {
      sender.send({ type: 'stop' });
      return next<{
        cpu: number;
        cpuUs: number;
        sendJitter: SendJitterReport;
        lateP50: number;
        lateP99: number;
        sent: number;
        path: string;
      }>(sender, 'raw-result');
    });
    return finish(
      n,
      j,
      r.cpu,
      r.sent,
      r.cpuUs / Math.max(1, r.sent),
      r.sendJitter,
      [r.lateP50, r.lateP99],
      0,
      load,
      r.path,
    );
  } finally {
    sender.send({ type: 'exit' });
    receiver.exit();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'uketsuke-bench-'));
const engine = await MediaEngine.start({ workers: 1, promptDir: dir, prepare: false });
const results = new Map<string, StepResult[]>();
console.log(`# prompt-bench ${new Date().toISOString()} ${machine()}`);
console.log(`# ${process.argv.slice(1).join(' ')}`);
if (!counting) console.log('# receiver: a sink that never reads; "received" = packets sent');
try {
  for (let run = 1; run <= runs; run++) {
    for (const n of steps) {
      for (const mode of modes) {
        const r =
          mode === 'raw' || mode === 'raw-batch'
            ? await rawStep(n, mode === 'raw-batch')
            : await engineStep(engine, n);
        const key = `${n} ${mode}`;
        results.set(key, [...(results.get(key) ?? []), r]);
        console.log(
          `run ${run} ${mode.padEnd(6)} [${r.path}] streams ${String(n).padStart(5)}  load ${r.load}  packets sent ${r.sent} received ${r.packets}/${r.expected}  send jitter p50 ${r.jitterP50.toFixed(2)} p99 ${r.jitterP99.toFixed(2)} ms  lateness p50 ${r.lateP50.toFixed(2)} p99 ${r.lateP99.toFixed(2)} ms (skipped ticks ${r.skipped})  receiver-observed p99 ${r.rxP99.toFixed(2)} ms  cpu ${r.cpu.toFixed(0)} % = ${r.usPerPacket.toFixed(2)} µs/packet${r.allocKiBps === undefined ? '' : `  worker allocated ${r.allocKiBps.toFixed(1)} KiB/s, collections ${r.gc}`}${r.blocked ? `  loop blocked by early wake ${r.blocked.toFixed(1)} %` : ''}  host probe p99 ${r.probe?.p99.toFixed(2)} max ${r.probe?.max.toFixed(1)} ms (${r.probe?.over2} wake-ups > 2 ms late, ${r.probe?.stalledMs.toFixed(0)} ms)`,
        );
      }
    }
  }
} finally {
  await engine.close();
  prober.send({ type: 'exit' });
  await rm(dir, { recursive: true, force: true });
}

console.log(
  '\n| streams | sender | received / expected | send jitter p50 | send jitter p99 | lateness p99 | receiver-observed p99 | CPU | µs CPU / packet | engine ÷ raw µs | worker KiB/s allocated | windows with a GC | host probe p99 / max | quiet-host windows: send jitter p99 |',
);
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
let best = 0;
let bestQuiet = 0;
/**
 * A window on a quiet host: the probe woke more than 2 ms late at most 5 times. A stall
 * spoils a few of the window's ~5,000 send-jitter samples per sub-tick it covers; five
 * can at most touch the top 1 % a little, a dozen decide the p99 by themselves.
 */
const QUIET_STALLS = 5;
const quietHost = (r: StepResult) => r.probe !== undefined && r.probe.over2 <= QUIET_STALLS;
for (const n of steps) {
  const rawUs = median((results.get(`${n} raw`) ?? []).map((r) => r.usPerPacket));
  for (const mode of modes) {
    const rs = results.get(`${n} ${mode}`) ?? [];
    if (rs.length === 0) continue;
    const m = (f: (r: StepResult) => number) => median(rs.map(f));
    const ratio = m((r) => r.packets / r.expected);
    if (mode === 'engine' && m((r) => r.jitterP99) < 2 && ratio >= 0.999) best = Math.max(best, n);
    const vsRaw = mode === 'engine' && rawUs ? (m((r) => r.usPerPacket) / rawUs).toFixed(2) : '';
    const alloc = rs[0]?.allocKiBps === undefined ? '' : m((r) => r.allocKiBps ?? 0).toFixed(1);
    const gcWindows =
      rs[0]?.gc === undefined ? '' : `${rs.filter((r) => r.gc !== 'none').length}/${rs.length}`;
    const quiet = rs.filter(quietHost);
    const quietP99 = quiet.length ? median(quiet.map((r) => r.jitterP99)) : Number.NaN;
    if (mode === 'engine' && quietP99 < 2 && ratio >= 0.999) bestQuiet = Math.max(bestQuiet, n);
    const quietCell = quiet.length
      ? `${quietP99.toFixed(2)} ms (${quiet.length}/${rs.length}: ${quiet.map((r) => r.jitterP99.toFixed(2)).join(', ')})`
      : `– (0/${rs.length})`;
    console.log(
      `| ${n} | ${mode} | ${(ratio * 100).toFixed(2)} % | ${m((r) => r.jitterP50).toFixed(2)} ms | ${m((r) => r.jitterP99).toFixed(2)} ms | ${m((r) => r.lateP99).toFixed(2)} ms | ${m((r) => r.rxP99).toFixed(2)} ms | ${m((r) => r.cpu).toFixed(0)} % | ${m((r) => r.usPerPacket).toFixed(2)} | ${vsRaw} | ${alloc} | ${gcWindows} | ${m((r) => r.probe?.p99 ?? Number.NaN).toFixed(2)} / ${m((r) => r.probe?.max ?? Number.NaN).toFixed(1)} ms | ${quietCell} |`,
    );
  }
}
console.log(
  `\nhighest N (engine) with median send jitter p99 < 2 ms and ≥ 99.9 % delivered: ${best}`,
);
console.log(
  `highest N (engine) with median send jitter p99 < 2 ms over quiet-host windows (probe > 2 ms late at most ${QUIET_STALLS} times) and ≥ 99.9 % delivered: ${bestQuiet}`,
);
