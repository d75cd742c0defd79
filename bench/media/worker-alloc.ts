/**
 * Steady-state allocation of a media worker: a {@link MediaWorkerHost} (the code a media
 * worker thread runs) driven in this process, N endpoints each playing looping hold
 * music (PCMU 20 ms) to a UDP socket that never reads (a python3 child: the receiver
 * costs nothing; it holds the port above too, where RTCP goes). After a warm-up, for `--seconds`, V8's GC profiler accounts every
 * byte the isolate allocated (heap growth + what each collection freed) and counts the
 * collections; nothing else runs in this isolate meanwhile, so that is the worker's
 * steady-state allocation rate. With `--profile`, V8's sampling heap profiler (including
 * objects already collected) names where the bytes were allocated.
 *
 *   node bench/media/worker-alloc.ts --streams 2000 --seconds 10 [--warmup 3] \
 *     [--profile] [--interval 1024] [--calls N]
 *
 * `--calls N` adds N bridged calls relayed by the same worker (the relay benchmark's
 * phones send 50 packets/s on every leg): the receive path's allocation.
 *
 * Environment as for the engine (UKETSUKE_MEDIA_SEND_PHASES, UKETSUKE_MEDIA_EARLY_WAKE_MS,
 * UKETSUKE_MEDIA_NATIVE=0).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import {
  buildAudioOffer,
  type EngineRequest,
  MediaWorkerHost,
  type WorkerMessage,
} from '@uketsuke/media';
import { arg, child, machine, next } from './lib/bench-util.ts';
import { startUdpSink } from './lib/udp-sink.ts';

const n = Number(arg('streams', '2000'));
const seconds = Number(arg('seconds', '10'));
const warmup = Number(arg('warmup', '3'));
const profile = process.argv.includes('--profile');
const interval = Number(arg('interval', '1024'));
const calls = Number(arg('calls', '0'));

/**
 * `--calls N`: N bridged calls too, relayed by the same worker, fed by the relay
 * benchmark's phones (lib/load-child.ts): every leg also receives 50 packets/s.
 */
async function relayCalls(count: number): Promise<ReturnType<typeof child>> {
  const phones = child('phones', count);
  const { ports } = await next<{ ports: number[] }>(phones, 'ports');
  const destinations: number[] = [];
  for (let c = 0; c < count; c++) {
    const legs: string[] = [];
    for (const leg of [0, 1]) {
      const id = `call${c}-${leg}`;
      const sdp = buildAudioOffer({
        address: '127.0.0.1',
        port: ports[2 * c + leg]!,
        codecs: ['PCMU'],
      });
      const r = await call('createEndpoint', { id, remoteSdpOffer: sdp });
      if (r.kind !== 'response' || !r.ok) throw new Error('createEndpoint failed');
      destinations.push((r.result as { localPort: number }).localPort);
      legs.push(id);
    }
    await call('bridge', { a: legs[0], b: legs[1] });
  }
  phones.send({ destinations });
  phones.send({ runMs: (warmup + seconds + 2) * 1000 });
  return phones;
}

interface GcStat {
  gcType: string;
  cost: number;
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const sink = await startUdpSink();
const port = sink.port;

const pending = new Map<number, (m: WorkerMessage) => void>();
const dir = await mkdtemp(join(tmpdir(), 'uketsuke-alloc-'));
const host = new MediaWorkerHost(
  { index: 0, bindAddress: '127.0.0.1', advertiseAddress: '127.0.0.1', promptDir: dir },
  (m) => {
    if (m.kind !== 'response') return;
    pending.get(m.seq)?.(m);
    pending.delete(m.seq);
  },
);
let seq = 0;
function call(method: EngineRequest['method'], params: unknown): Promise<WorkerMessage> {
  const s = ++seq;
  return new Promise((resolve) => {
    pending.set(s, resolve);
    host.handle({ kind: 'request', seq: s, method, params } as EngineRequest);
  });
}

console.log(`# worker-alloc ${new Date().toISOString()} ${machine()}`);
console.log(
  `# streams ${n}, ${seconds} s after ${warmup} s warm-up; phases ${process.env.UKETSUKE_MEDIA_SEND_PHASES ?? 'default'}, early wake ${process.env.UKETSUKE_MEDIA_EARLY_WAKE_MS ?? 'off'}`,
);
const offer = buildAudioOffer({ address: '127.0.0.1', port, codecs: ['PCMU'] });
for (let i = 0; i < n; i++) {
  const r = await call('createEndpoint', { id: `e${i}`, remoteSdpOffer: offer });
  if (r.kind === 'response' && !r.ok) throw new Error(r.error.message);
  void call('play', { id: `e${i}`, prompt: 'hold_music', params: {}, bargeIn: false });
}
const phones = calls > 0 ? await relayCalls(calls) : undefined;
await new Promise((r) => setTimeout(r, warmup * 1000));

let session: Session | undefined;
if (profile) {
  session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: interval,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}
await call('clockStats', { reset: true });
const gc = new GCProfiler();
const used0 = getHeapStatistics().used_heap_size;
gc.start();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const stats = (gc.stop()?.statistics ?? []) as GcStat[];
const used1 = getHeapStatistics().used_heap_size;
const wall = (performance.now() - t0) / 1000;
const clock = await call('clockStats', { reset: false });

// Allocated = growth of the heap + what every collection freed in between.
let allocated = used1 - used0;
for (const s of stats) {
  allocated += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
}
const byType = new Map<string, { count: number; ms: number }>();
for (const s of stats) {
  const t = byType.get(s.gcType) ?? { count: 0, ms: 0 };
  t.count++;
  t.ms += s.cost / 1000;
  byType.set(s.gcType, t);
}
console.log(
  `allocated ${(allocated / wall / 1024).toFixed(1)} KiB/s (${allocated} bytes in ${wall.toFixed(2)} s, ${(allocated / wall / (n * 50 + calls * 200)).toFixed(2)} bytes per packet sent or received)`,
);
console.log(
  `collections: ${[...byType].map(([t, v]) => `${t} ×${v.count} (${v.ms.toFixed(1)} ms)`).join(', ') || 'none'}`,
);
if (clock.kind === 'response' && clock.ok) {
  const c = clock.result as { sendJitter?: { p50Ms: number; p99Ms: number }; ticks: number };
  console.log(
    `send jitter p50 ${c.sendJitter?.p50Ms.toFixed(2)} p99 ${c.sendJitter?.p99Ms.toFixed(2)} ms (${c.ticks} sub-ticks)`,
  );
}

if (session !== undefined) {
  const { profile: p } = (await session.post('HeapProfiler.stopSampling')) as unknown as {
    profile: { head: ProfileNode };
  };
  session.disconnect();
  // Bytes by allocating function, and by the stack of the three innermost frames.
  const bySite = new Map<string, number>();
  const byStack = new Map<string, number>();
  let total = 0;
  const frame = (f: ProfileNode['callFrame']) =>
    `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(packages|node:)/, '$1')}:${f.lineNumber + 1}`;
  const walk = (node: ProfileNode, path: string[]) => {
    const here = [...path, frame(node.callFrame)];
    if (node.selfSize > 0) {
      total += node.selfSize;
      const site = here[here.length - 1]!;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      const stack = here.slice(-4).join(' ← ');
      byStack.set(stack, (byStack.get(stack) ?? 0) + node.selfSize);
    }
    for (const c of node.children) walk(c, here);
  };
  walk(p.head, []);
  console.log(`\nsampled ${(total / 1024).toFixed(0)} KiB (interval ${interval} B); by function:`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`  ${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${site}`);
  }
  console.log('by stack (innermost last):');
  for (const [stack, bytes] of [...byStack].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`  ${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${stack}`);
  }
}

await call('close', {});
phones?.kill();
sink.stop();
await rm(dir, { recursive: true, force: true });
