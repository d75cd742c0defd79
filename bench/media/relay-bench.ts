/**
 * Bridged G.711 calls: the media engine (one worker thread = one core) versus a raw
 * node:dgram relay (one process = one core), on loopback, same load, same run.
 *
 * A call is two legs; each phone sends 50 packets/s (20 ms PCMU), so a relay handles
 * 100 packets/s in and 100 out per call. The load generator is a separate process on
 * the other core. For each N and relay, loss = 1 − received/sent over the run; the
 * ceiling is the highest N with loss < 0.1 %.
 *
 *   node bench/media/relay-bench.ts --calls 200,400,600,800 --seconds 5 --runs 3 \
 *     [--modes raw,engine,rtpengine]
 *
 * rtpengine: Debian `rtpengine-daemon` 10.5, userspace (`--table=-1`), one thread,
 * driven by ng offer/answer/delete (lib/rtpengine.ts).
 *
 * `--prompts K` (engine only): K more endpoints in the same worker play looping hold
 * music to a sink that never reads (a python3 child) while the calls are relayed — a
 * mixed worker, as in a call centre. That is where the clock's early wake-ups
 * (UKETSUKE_MEDIA_EARLY_WAKE_MS, which block the worker's loop up to that long per
 * sub-tick that sends from the clock) can cost relay capacity; a pure relay has no such
 * sub-ticks. The relay CPU then includes the prompt streams' own.
 *
 * Bounded: runs × |calls| × 2 × (seconds + ~2 s).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAudioOffer, MediaEngine } from '@uketsuke/media';
import { arg, child, load1, machine, median, next } from './lib/bench-util.ts';
import { RtpEngine } from './lib/rtpengine.ts';
import { startUdpSink } from './lib/udp-sink.ts';

const steps = arg('calls', '200,400,600,800').split(',').map(Number);
const seconds = Number(arg('seconds', '5'));
const runs = Number(arg('runs', '3'));
const modes = arg('modes', 'raw,engine').split(',');
const prompts = Number(arg('prompts', '0'));

interface StepResult {
  sent: number;
  received: number;
  loss: number;
  /** Relay CPU over the run, % of one core. */
  cpu: number;
  /** Relay CPU per relayed packet (one in + one out), µs. */
  usPerPacket: number;
  lateSteps: number;
  /** Engine: share of the window its loop was blocked in early-wake sleeps, %. */
  blocked?: number;
  /** Engine: the worker's allocation rate in the window, KiB/s, and its collections. */
  allocKiBps?: number;
  gc?: string;
}

interface CpuSample {
  cpuMs: number;
  wallMs: number;
}

async function runPhones(
  n: number,
  setup: (
    phonePorts: number[],
  ) => Promise<{ destinations: number[]; cpuStart(): void; cpuStop(): Promise<CpuSample> }>,
): Promise<StepResult> {
  const phones = child('phones', n);
  try {
    const { ports } = await next<{ ports: number[] }>(phones, 'ports');
    const relay = await setup(ports);
    phones.send({ destinations: relay.destinations });
    relay.cpuStart();
    phones.send({ runMs: seconds * 1000 });
    const r = await next<{ sent: number; received: number; lateSteps: number }>(
      phones,
      'result',
      seconds * 1000 + 30_000,
    );
    const c = await relay.cpuStop();
    return {
      ...r,
      loss: 1 - r.received / r.sent,
      cpu: (c.cpuMs / c.wallMs) * 100,
      usPerPacket: (c.cpuMs * 1000) / r.received,
    };
  } finally {
    phones.kill();
  }
}

async function rawStep(n: number): Promise<StepResult> {
  const relay = child('raw-relay', n);
  try {
    return await runPhones(n, async (phonePorts) => {
      relay.send({ phonePorts });
      const { ports } = await next<{ ports: number[] }>(relay, 'relayPorts');
      return {
        destinations: ports,
        cpuStart: () => relay.send({ type: 'cpu-start' }),
        cpuStop: async () => {
          relay.send({ type: 'cpu-stop' });
          return next<CpuSample>(relay, 'cpu');
        },
      };
    });
  } finally {
    relay.send({ type: 'exit' });
  }
}

async function engineStep(engine: MediaEngine, n: number): Promise<StepResult> {
  const ids: string[] = [];
  let blocked = 0;
  let gc: { allocKiBps?: number; gc?: string } = {};
  const sink = prompts > 0 ? await startUdpSink() : undefined;
  try {
    if (sink !== undefined) {
      const offer = buildAudioOffer({ address: '127.0.0.1', port: sink.port, codecs: ['PCMU'] });
      for (let i = 0; i < prompts; i += 100) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(100, prompts - i) }, () =>
            engine.createEndpoint({ remoteSdpOffer: offer }),
          ),
        );
        for (const ep of batch) {
          ids.push(ep.id);
          void engine.play(ep.id, 'hold_music');
        }
      }
    }
    const result = await runPhones(n, async (phonePorts) => {
      const destinations = new Array<number>(2 * n);
      for (let i = 0; i < n; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, n - i) }, async (_, k) => {
            const c = i + k;
            const offer = (port: number) =>
              buildAudioOffer({ address: '127.0.0.1', port, codecs: ['PCMU'] });
            const a = await engine.createEndpoint({ remoteSdpOffer: offer(phonePorts[2 * c]!) });
            const b = await engine.createEndpoint({
              remoteSdpOffer: offer(phonePorts[2 * c + 1]!),
              colocateWith: a.id,
            });
            ids.push(a.id, b.id);
            await engine.bridge(a.id, b.id);
            destinations[2 * c] = a.localPort;
            destinations[2 * c + 1] = b.localPort;
          }),
        );
      }
      let cpu = process.cpuUsage();
      let wall = performance.now();
      return {
        destinations,
        cpuStart: () => {
          cpu = process.cpuUsage();
          wall = performance.now();
          void engine.clockStats({ reset: true });
        },
        cpuStop: async () => {
          const d = process.cpuUsage(cpu);
          const wallMs = performance.now() - wall;
          const [clock] = await engine.clockStats();
          blocked = ((clock?.earlyWakeSleptMs ?? 0) / wallMs) * 100;
          const g = clock?.gc;
          if (g !== undefined) {
            const kinds = Object.entries(g.collections).map(([k, c]) => `${k}×${c}`);
            gc = { allocKiBps: g.allocatedBytes / g.seconds / 1024, gc: kinds.join(' ') || 'none' };
          }
          return { cpuMs: (d.user + d.system) / 1000, wallMs };
        },
      };
    });
    return { ...result, blocked, ...gc };
  } finally {
    await Promise.all(ids.map((id) => engine.destroy(id)));
    sink?.stop();
  }
}

async function rtpengineStep(rtpengine: RtpEngine, n: number): Promise<StepResult> {
  const calls: string[] = [];
  try {
    return await runPhones(n, async (phonePorts) => {
      const destinations = new Array<number>(2 * n);
      const sdp = (port: number) =>
        buildAudioOffer({ address: '127.0.0.1', port, codecs: ['PCMU'], telephoneEventPt: false });
      const portOf = (reply: Record<string, unknown>) =>
        Number(/m=audio (\d+)/.exec(String(reply.sdp))?.[1]);
      for (let i = 0; i < n; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, n - i) }, async (_, k) => {
            const c = i + k;
            const callId = `bench-${n}-${c}-${Date.now()}`;
            calls.push(callId);
            const offer = await rtpengine.request({
              command: 'offer',
              'call-id': callId,
              'from-tag': 'a',
              sdp: sdp(phonePorts[2 * c]!),
            });
            const answer = await rtpengine.request({
              command: 'answer',
              'call-id': callId,
              'from-tag': 'a',
              'to-tag': 'b',
              sdp: sdp(phonePorts[2 * c + 1]!),
            });
            destinations[2 * c] = portOf(answer); // A sends to the port in the answer to A
            destinations[2 * c + 1] = portOf(offer); // B sends to the port in the offer to B
          }),
        );
      }
      let cpu = rtpengine.cpuMs();
      let wall = performance.now();
      return {
        destinations,
        cpuStart: () => {
          cpu = rtpengine.cpuMs();
          wall = performance.now();
        },
        cpuStop: async () => ({ cpuMs: rtpengine.cpuMs() - cpu, wallMs: performance.now() - wall }),
      };
    });
  } finally {
    for (const callId of calls) {
      await rtpengine
        .request({ command: 'delete', 'call-id': callId, 'from-tag': 'a' })
        .catch(() => {});
    }
  }
}

const dir = await mkdtemp(join(tmpdir(), 'uketsuke-bench-'));
const engine = await MediaEngine.start({ workers: 1, promptDir: dir, prepare: false });
const rtpengine = modes.includes('rtpengine') ? await RtpEngine.start() : undefined;
const results = new Map<string, StepResult[]>();
console.log(`# relay-bench ${new Date().toISOString()} ${machine()}`);
console.log(`# ${process.argv.slice(1).join(' ')}`);
try {
  for (let run = 1; run <= runs; run++) {
    for (const n of steps) {
      for (const mode of modes) {
        const r =
          mode === 'raw'
            ? await rawStep(n)
            : mode === 'rtpengine'
              ? await rtpengineStep(rtpengine!, n)
              : await engineStep(engine, n);
        const key = `${mode}:${n}`;
        results.set(key, [...(results.get(key) ?? []), r]);
        console.log(
          `run ${run} ${mode.padEnd(9)} load ${load1()} calls ${String(n).padStart(5)}  sent ${r.sent}  loss ${(r.loss * 100).toFixed(3)} %  cpu ${r.cpu.toFixed(0)} %  ${r.usPerPacket.toFixed(2)} µs/pkt  generator-late-steps ${r.lateSteps}${r.blocked === undefined ? '' : `  loop blocked by early wake ${r.blocked.toFixed(1)} %`}${r.allocKiBps === undefined ? '' : `  worker allocated ${r.allocKiBps.toFixed(0)} KiB/s, collections ${r.gc}`}`,
        );
      }
    }
  }
} finally {
  await engine.close();
  rtpengine?.stop();
  await rm(dir, { recursive: true, force: true });
}

console.log(
  '\n| calls | relay | offered pkt/s (sent) | median loss | median relay CPU | µs CPU / relayed pkt | calls/core at 100 % CPU (projected) |',
);
console.log('|---:|---|---:|---:|---:|---:|---:|');
const ceiling: Record<string, number> = {};
for (const n of steps) {
  for (const mode of modes) {
    const rs = results.get(`${mode}:${n}`) ?? [];
    const loss = median(rs.map((r) => r.loss));
    const cpu = median(rs.map((r) => r.cpu));
    const pps = median(rs.map((r) => r.sent / seconds));
    const us = median(rs.map((r) => r.usPerPacket));
    const projected = 1e6 / (us * 100); // a call relays 100 packets/s
    if (loss < 0.001) ceiling[mode] = Math.max(ceiling[mode] ?? 0, n);
    console.log(
      `| ${n} | ${mode} | ${pps.toFixed(0)} | ${(loss * 100).toFixed(3)} % | ${cpu.toFixed(0)} % | ${us.toFixed(2)} | ${projected.toFixed(0)} |`,
    );
  }
}
console.log(`\nhighest N with median loss < 0.1 %: ${JSON.stringify(ceiling)}`);
