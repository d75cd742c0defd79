/**
 * Concurrent trunk ↔ WebRTC calls on one media worker (one core).
 *
 * Each call: a WebRTC leg (ICE-lite, DTLS-SRTP, PCMU) answering a werift
 * RTCPeerConnection, bridged in the same worker to an RTP leg talking to a plain UDP
 * "trunk phone". Both ends send 50 packets/s of 20 ms PCMU; the relay passes payloads
 * through untouched (SRTP unprotect → RTP out, RTP in → SRTP protect). The peers
 * (werift + trunk phones) run in one child process (webrtc-peers.ts), so the engine's
 * process CPU is the media plane's (its main thread only idles during the run).
 *
 *   node bench/media/webrtc-legs.ts --calls 100,250 --seconds 10 --runs 3 [--record]
 *     [--peers lean|werift]
 *
 * Per step: loss each way = 1 − byte-identical payloads received / sent during the
 * measured window; engine CPU (% of one core, process.cpuUsage over the window);
 * projected calls/core = calls / CPU fraction. With --record every WebRTC leg also
 * writes its two-channel WAV (decode + write cost included).
 *
 * Bounded: runs × |calls| × (setup ≤ 60 s + 1 s warm-up + seconds + 0.5 s).
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaEngine } from '@uketsuke/media';
import { arg, load1, machine, median, next } from './lib/bench-util.ts';

const steps = arg('calls', '100,250').split(',').map(Number);
const seconds = Number(arg('seconds', '10'));
const runs = Number(arg('runs', '3'));
const record = process.argv.includes('--record');
const peerMode = arg('peers', 'lean');

interface Done {
  sentB: number;
  recvT: number;
  sentT: number;
  recvB: number;
  lateSteps: number;
  sendLoopMs: number;
}

interface StepResult {
  lossToTrunk: number;
  lossToBrowser: number;
  cpu: number;
  perCore: number;
  lateSteps: number;
  connected: number;
  setupMs: number;
  counts: Done;
  engine: Record<string, number>;
  /** What the generator really offered, both directions, packets/s. */
  offeredPps: number;
}

function trunkAnswer(port: number): string {
  return `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
}

async function step(n: number): Promise<StepResult> {
  const dir = await mkdtemp(join(tmpdir(), 'uk-webrtc-bench-'));
  const engine = await MediaEngine.start({
    workers: 1,
    promptDir: join(dir, 'prompts'),
    prepare: false,
  });
  const peers = fork(new URL('./webrtc-peers.ts', import.meta.url), [peerMode], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const t0 = performance.now();
    peers.send({ type: 'create', n });
    const { offers, trunkPorts } = await next<{ offers: string[]; trunkPorts: number[] }>(
      peers,
      'offers',
      120_000,
    );
    const answers: string[] = [];
    const trunkDest: number[] = [];
    const webIds: string[] = [];
    const trunkIds: string[] = [];
    for (let i = 0; i < n; i++) {
      const web = await engine.createEndpoint({ remoteSdpOffer: offers[i]!, webrtc: true });
      const trunk = await engine.createEndpoint({ colocateWith: web.id, codecs: ['PCMU'] });
      await engine.setRemoteAnswer(trunk.id, trunkAnswer(trunkPorts[i]!));
      await engine.bridge(web.id, trunk.id);
      if (record) await engine.record(web.id, join(dir, `call-${i}.wav`));
      answers.push(web.localSdp);
      webIds.push(web.id);
      trunkIds.push(trunk.id);
      trunkDest.push(trunk.localPort);
    }
    peers.send({ type: 'answers', answers, trunkDest });
    const { connected, failed } = await next<{
      connected: number;
      failed: { i: number; state: string }[];
    }>(peers, 'connected', 90_000);
    for (const f of failed) {
      console.error(
        `  call ${f.i} not connected: werift ${f.state}, ours ${JSON.stringify((await engine.stats(webIds[f.i]!)).webrtc)}`,
      );
    }
    const setupMs = performance.now() - t0;
    const snapshot = () =>
      Promise.all(
        webIds.map(async (w, i) => ({
          web: await engine.stats(w),
          trunk: await engine.stats(trunkIds[i]!),
        })),
      );
    peers.send({ type: 'run', ms: seconds * 1000 });
    await next(peers, 'measuring', 30_000); // after the peers' warm-up second
    const s0 = await snapshot();
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    await next(peers, 'measured', seconds * 1000 * 10 + 30_000);
    const d = process.cpuUsage(cpu0);
    const wallMs = performance.now() - w0;
    const s1 = await snapshot();
    const done = await next<Done>(peers, 'done', 30_000);
    const sum = (f: (x: (typeof s0)[number]) => number) =>
      s1.reduce((acc, x) => acc + f(x), 0) - s0.reduce((acc, x) => acc + f(x), 0);
    // Engine-side counters (stderr JSON only): the snapshots walk the legs one request
    // at a time, so they are skewed by up to ~1 s of traffic; loss comes from the peers.
    const webIn = sum((x) => x.web.packetsReceived);
    const trunkOut = sum((x) => x.trunk.packetsSent);
    const trunkIn = sum((x) => x.trunk.packetsReceived);
    const webOut = sum((x) => x.web.packetsSent);
    const srtpRejected = s1.reduce((acc, x) => acc + (x.web.webrtc?.srtpRejected ?? 0), 0);
    const dtlsRetransmits = s1.reduce((acc, x) => acc + (x.web.webrtc?.dtlsRetransmits ?? 0), 0);
    const cpu = (d.user + d.system) / 1000 / wallMs;
    return {
      lossToTrunk: 1 - done.recvT / done.sentB,
      lossToBrowser: 1 - done.recvB / done.sentT,
      cpu,
      perCore: n / cpu,
      lateSteps: done.lateSteps,
      connected,
      setupMs,
      counts: done,
      engine: { webIn, trunkOut, trunkIn, webOut, srtpRejected, dtlsRetransmits },
      offeredPps: (done.sentB + done.sentT) / (wallMs / 1000),
    };
  } finally {
    peers.send({ type: 'exit' });
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const pct = (x: number) => `${(x * 100).toFixed(3)} %`;
console.log(machine());
console.log(`seconds ${seconds}, runs ${runs}, record ${record}, peers ${peerMode}`);
console.log(
  '| calls | connected | offered pkt/s | loss browser→trunk / trunk→browser | SRTP rejected | engine CPU | calls/core (projected) | generator late steps | load1 |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const n of steps) {
  const results: StepResult[] = [];
  const loads: string[] = [];
  for (let r = 0; r < runs; r++) {
    loads.push(load1());
    const s = await step(n);
    results.push(s);
    console.error(`  run ${r + 1}: ${JSON.stringify(s)}`);
  }
  const m = (f: (s: StepResult) => number) => median(results.map(f));
  console.log(
    `| ${n} | ${m((s) => s.connected)} | ${m((s) => s.offeredPps).toFixed(0)} | ${pct(m((s) => s.lossToTrunk))} / ${pct(m((s) => s.lossToBrowser))} | ${m((s) => s.engine.srtpRejected!)} | ${(m((s) => s.cpu) * 100).toFixed(0)} % | ${m((s) => s.perCore).toFixed(0)} | ${m((s) => s.lateSteps)} | ${loads.join(', ')} |`,
  );
}
