/**
 * Soak benchmark for inbound calls (issue 5): N concurrent callers in the demo IVR
 * (050-1234-5678) for M minutes, against `main.ts --demo` started the way the README starts
 * it, with SIPp as the callers. Each call: INVITE, 200, ACK, the greeting and menu (RTP
 * from the server) while the caller speaks (7 s of A-law from SIPp's pcap), the digit 9
 * (SIP INFO, or RFC 2833 from SIPp's pcap), the announcement, and the platform's BYE
 * (10–15 s).
 *
 *   node bench/calls/ivr-soak.ts [--minutes 5] [--concurrency 100] [--dtmf both|info|rfc2833]
 *                                [--http-port 15750] [--write]
 *
 * Every 5 s it samples the server process: RSS (/proc/<pid>/status), V8 heap (/metrics),
 * CPU (utime + stime, /proc/<pid>/stat), open file descriptors, event-loop lag, and the
 * calls SIPp has up. At the end: SIPp's successful and failed calls, the call records the
 * REST API lists (as the demo admin), memory after warm-up vs at the end and its
 * least-squares slope, CPU per call, response-time percentiles, and whether audio went
 * both ways (the caller's speech in sampled recordings; RTP counted at SIPp's ports). Prints a markdown block; with --write it also saves the
 * JSON in bench/calls/results/ and rewrites "## Inbound calls" in docs/BENCHMARKS.md.
 *
 * Bounded: SIPp stops placing calls after M minutes, is killed at M + 2 minutes, and this
 * process gives up at M + 5 minutes. Loopback only: SIP 15700–15702, SIPp media 39900 and
 * 39920, server RTP 37000–39799, HTTP 15750 (or --http-port). Needs SIPp (sip-tester) and
 * espeak-ng (the prompts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  cpuSeconds,
  loadAverage,
  memory,
  openFds,
  percentile,
  promValues,
  slope,
} from './lib/proc-stats.ts';
import { audibleFrames, pcapAudibleFrames } from './lib/recording-audio.ts';
import {
  CALLER_AUDIO_PCAP,
  type DtmfMethod,
  SIPP,
  SippCaller,
  type SippCounters,
} from './lib/sipp-callers.ts';
import { SoakServer } from './lib/soak-server.ts';
import {
  markdownBlock,
  type Sample,
  type SoakResult,
  writeBenchmarksSection,
} from './lib/soak-report.ts';

const root = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '100' },
    dtmf: { type: 'string', default: 'both' },
    'http-port': { type: 'string', default: '15750' },
    write: { type: 'boolean', default: false },
    'doc-only': { type: 'boolean', default: false },
  },
});
const resultsDir = join(import.meta.dirname, 'results');

/** Rebuilds "## Inbound calls" from the saved runs (the newest in full) and notes.md. */
function rewriteDoc(latest?: SoakResult): void {
  const all = readdirSync(resultsDir)
    .filter((f) => f.startsWith('ivr-soak-') && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as SoakResult)
    .sort((a, b) => a.date.localeCompare(b.date));
  const newest = latest ?? all.at(-1);
  if (!newest) throw new Error(`no saved runs in ${resultsDir}`);
  const notesFile = join(resultsDir, 'notes.md');
  const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : '';
  writeBenchmarksSection(join(root, 'docs/BENCHMARKS.md'), newest, all, notes);
}

if (args['doc-only']) {
  rewriteDoc();
  console.log('rewrote "## Inbound calls" in docs/BENCHMARKS.md from bench/calls/results/');
  process.exit(0);
}

const minutes = Number(args.minutes);
const concurrency = Number(args.concurrency);
const httpPort = Number(args['http-port']);
if (!(minutes > 0 && minutes <= 60) || !(concurrency >= 1 && concurrency <= 500)) {
  console.error('--minutes must be in (0, 60] and --concurrency in [1, 500]');
  process.exit(2);
}
const methods: DtmfMethod[] =
  args.dtmf === 'both' ? ['info', 'rfc2833'] : args.dtmf === 'info' ? ['info'] : ['rfc2833'];
if (!['both', 'info', 'rfc2833'].includes(args.dtmf ?? '')) {
  console.error('--dtmf must be both, info or rfc2833');
  process.exit(2);
}
for (const [bin, pkg] of [
  [SIPP, 'sip-tester'],
  ['/usr/bin/espeak-ng', 'espeak-ng'],
] as const) {
  if (!existsSync(bin)) {
    console.error(`${bin} not found: apt-get install ${pkg}`);
    process.exit(2);
  }
}

const SIP_PORT = 15700;
const IVR_SERVICE = '05012345678';
const SAMPLE_MS = 5000;
const durationS = minutes * 60;
// Memory and CPU figures leave out the first part of the run (JIT, pools, V8 heap growth).
const warmupS = Math.min(60, durationS * 0.2);

const udpPortFree = (port: number) =>
  new Promise<boolean>((res) => {
    const sock = createSocket('udp4');
    sock.once('error', () => res(false));
    sock.bind(port, '127.0.0.1', () => sock.close(() => res(true)));
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uptime = () => execFileSync('uptime').toString().trim();
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

// --- the server, as the README starts it -------------------------------------------------
const callers: SippCaller[] = [];
let server: SoakServer;
try {
  server = await SoakServer.start({ root, httpPort, sipPort: SIP_PORT, rtpPorts: '37000-39799' });
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
const { dataDir, http, cookie, pid: serverPid } = server;

function cleanUp(): void {
  for (const c of callers) c.kill();
  server.kill();
}
// The last bound: whatever happens, nothing of ours outlives M + 5 minutes.
const giveUp = setTimeout(
  () => {
    console.error('ivr-soak: overall time limit reached; killing SIPp and the server');
    cleanUp();
    process.exit(3);
  },
  (durationS + 300) * 1000,
);
giveUp.unref();
process.once('SIGINT', () => {
  cleanUp();
  for (const c of callers) rmSync(c.dir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(130);
});

// --- sampling ----------------------------------------------------------------------------

const samples: Sample[] = [];
let tStart = performance.now();
const sum = (f: (c: SippCounters) => number) =>
  callers.reduce((a, c) => {
    const k = c.counters();
    return a + (k ? f(k) : 0);
  }, 0);

async function sample(phase: Sample['phase']): Promise<Sample> {
  let prom: Record<string, number> = {};
  try {
    const r = await fetch(`${http}/metrics`, { signal: AbortSignal.timeout(4000) });
    prom = promValues(await r.text(), [
      'uketsuke_nodejs_heap_size_used_bytes',
      'uketsuke_nodejs_heap_size_total_bytes',
      'uketsuke_nodejs_external_memory_bytes',
      'uketsuke_nodejs_eventloop_lag_p99_seconds',
    ]);
  } catch {}
  const mb = (n: number | undefined) => round((n ?? Number.NaN) / 2 ** 20, 1);
  const mem = memory(serverPid);
  const workers = server.workerHeaps();
  const s: Sample = {
    t: round((performance.now() - tStart) / 1000, 1),
    phase,
    rssMb: round(mem.rssMb, 1),
    heapUsedMb: mb(prom.uketsuke_nodejs_heap_size_used_bytes),
    heapTotalMb: mb(prom.uketsuke_nodejs_heap_size_total_bytes),
    externalMb: mb(prom.uketsuke_nodejs_external_memory_bytes),
    workerHeapUsedMb: round(workers.usedMb, 1),
    workerHeapTotalMb: round(workers.totalMb, 1),
    workerExternalMb: round(workers.externalMb, 1),
    lagP99Ms: round((prom.uketsuke_nodejs_eventloop_lag_p99_seconds ?? Number.NaN) * 1000, 1),
    cpuS: cpuSeconds(serverPid),
    fds: openFds(serverPid),
    threads: mem.threads,
    sippCurrent: sum((k) => k.current),
    sippEnded: sum((k) => k.successful + k.failed),
    sippCpuS: callers.reduce((a, c) => {
      try {
        return a + cpuSeconds(c.process.pid ?? 0);
      } catch {
        return a;
      }
    }, 0),
    sippRtpPackets: callers.reduce((a, c) => a + c.rtpPacketsReceived, 0),
    load1: loadAverage()[0],
  };
  samples.push(s);
  console.log(
    `${String(s.t).padStart(6)} s ${phase.padEnd(5)} calls up ${String(s.sippCurrent).padStart(3)} ended ${String(s.sippEnded).padStart(5)}  RSS ${s.rssMb} MB heap ${s.heapUsedMb}/${s.heapTotalMb} MB workers ${s.workerHeapUsedMb}/${s.workerHeapTotalMb} MB  fds ${s.fds}  lag p99 ${s.lagP99Ms} ms  load ${s.load1}`,
  );
  return s;
}

const uptimeAtStart = uptime();
console.log(
  `ivr-soak: ${concurrency} calls for ${minutes} min (${methods.join(' + ')}), server pid ${serverPid}, data ${dataDir}`,
);
console.log(uptimeAtStart);
await sleep(2000);
tStart = performance.now();
const idle = await sample('idle');

// --- the callers ---------------------------------------------------------------------------
// Calls last about 14 s; asking for limit / 5 calls per second keeps every slot refilled
// as soon as a call ends (SIPp caps the calls up at -l).
// SIPp binds its media port p and p + 2 (video). These ports lie in Linux's ephemeral range,
// where other processes' sockets may sit: take the first free pairs from 39800 up.
const mediaPorts: number[] = [];
for (let p = 39800; p < 39998 && mediaPorts.length < methods.length; p += 4) {
  if ((await udpPortFree(p)) && (await udpPortFree(p + 2))) mediaPorts.push(p);
}
if (mediaPorts.length < methods.length) {
  console.error('no free UDP port pair for SIPp media in 39800–39999');
  cleanUp();
  process.exit(1);
}
const startedAt = new Date();
methods.forEach((method, i) => {
  const limit =
    Math.floor(concurrency / methods.length) + (i < concurrency % methods.length ? 1 : 0);
  callers.push(
    new SippCaller({
      method,
      remote: `127.0.0.1:${SIP_PORT}`,
      service: IVR_SERVICE,
      limit,
      rate: Math.max(1, Math.ceil(limit / 5)),
      sipPort: SIP_PORT + 1 + i,
      mediaPort: mediaPorts[i]!,
      timeoutS: Math.ceil(durationS + 90),
    }),
  );
});
tStart = performance.now();
const killAt = (durationS + 120) * 1000;
const allExited = Promise.all(callers.map((c) => c.exited));
let sippKilled = false;
let sippEarlyExit = false;

for (let k = 1; k * SAMPLE_MS <= durationS * 1000; k++) {
  await sleep(Math.max(0, tStart + k * SAMPLE_MS - performance.now()));
  const early = callers.find((c) => c.process.exitCode !== null);
  if (early) {
    // A caller that stops during the load makes the run invalid: say why and stop.
    console.error(
      `SIPp (${early.options.method}) exited early with ${early.process.exitCode}:\n${early.errorLogTail()}\n${early.output.slice(-1500)}`,
    );
    sippEarlyExit = true;
    break;
  }
  await sample('load');
}
for (const c of callers) c.stopPlacingCalls();
// Drain: calls in progress finish (about 14 s); SIPp exits by itself.
for (;;) {
  const done = await Promise.race([allExited.then(() => true), sleep(SAMPLE_MS).then(() => false)]);
  if (done) break;
  if (performance.now() - tStart > killAt) {
    console.error('SIPp still running at M + 2 minutes: killed');
    sippKilled = true;
    for (const c of callers) c.kill();
    await allExited;
    break;
  }
  await sample('drain');
}
const endedAt = new Date();
await sleep(5000);
const after = await sample('after');

// --- what the API says ---------------------------------------------------------------------
interface Cdr {
  id: string;
  sipCallId: string;
  disposition: string;
  hangupBy: string;
  answeredAt: string | null;
  endedAt: string;
  recording: string | null;
  trace: string[];
}
const cdrs: Cdr[] = [];
for (let page = 0, before = ''; page < 1000; page++) {
  const r = await fetch(`${http}/api/v1/calls?limit=500${before ? `&before=${before}` : ''}`, {
    headers: { cookie },
  });
  if (!r.ok) throw new Error(`GET /calls: ${r.status} ${await r.text()}`);
  const list = (await r.json()) as Cdr[];
  cdrs.push(...list);
  if (list.length < 500) break;
  before = list.at(-1)!.id;
}

// The caller's speech in the recordings (up to 40, spread over the run): every SIPp call
// plays the same pcap, so each caller channel should hold as many audible frames as it.
const pcapAudible = pcapAudibleFrames(CALLER_AUDIO_PCAP);
const recorded = cdrs.filter((c) => c.recording && existsSync(c.recording));
const picks = recorded.filter(
  (_, i) => recorded.length <= 40 || i % Math.ceil(recorded.length / 40) === 0,
);
const callerRatios: number[] = [];
const platformSeconds: number[] = [];
for (const c of picks) {
  try {
    const a = audibleFrames(c.recording!);
    callerRatios.push(a.callerAudible / pcapAudible);
    platformSeconds.push(a.platformAudible / 50);
  } catch (err) {
    console.error((err as Error).message);
  }
}
callerRatios.sort((a, b) => a - b);
platformSeconds.sort((a, b) => a - b);
// RTP that should have reached SIPp: 50 packets/s (20 ms PCMA) from answer to hang-up.
const expectedRtp = (list: Cdr[]) =>
  Math.round(
    list.reduce(
      (a, c) =>
        a +
        (c.answeredAt
          ? (new Date(c.endedAt).getTime() - new Date(c.answeredAt).getTime()) / 20
          : 0),
      0,
    ),
  );

const serverLog = readFileSync(server.logPath, 'utf8').split('\n');
const levelCount = (level: number) =>
  serverLog.filter((l) => l.includes(`"level":${level},`)).length;
const serverErrors = serverLog.filter((l) => /"level":(50|60),/.test(l));
const uptimeAtEnd = uptime();

// Stop the server the way an operator does (SIGTERM), with a bound.
await server.stop();

// --- figures -------------------------------------------------------------------------------
const perCaller = callers.map((c) => {
  const k = c.counters();
  const pid = String(c.process.pid);
  const rtd = c.responseTimes();
  const mine = cdrs.filter((r) => r.sipCallId.split('@')[0]?.split('-')[1] === pid);
  return {
    method: c.options.method,
    limit: c.options.limit,
    rate: c.options.rate,
    exitCode: c.process.exitCode,
    created: k?.created ?? Number.NaN,
    successful: k?.successful ?? Number.NaN,
    failed: k?.failed ?? Number.NaN,
    retransmissions: k?.retransmissions ?? Number.NaN,
    failures: k?.failures ?? {},
    // SIPp's Call-ID is "<call number>-<pid>@<address>".
    cdrs: mine.length,
    rtpAtSipp: c.rtpPacketsReceived,
    rtpExpected: expectedRtp(mine),
    rtd,
    errorTail: c.errorLogTail(),
  };
});
const allRtd = (n: number) => perCaller.flatMap((p) => p.rtd.get(n) ?? []).sort((a, b) => a - b);
const rtd1 = allRtd(1);
const rtd2 = allRtd(2);
const steady = samples.filter((s) => s.phase === 'load' && s.t >= warmupS);
const first = steady[0];
const last = steady.at(-1);
const steadyCalls = first && last ? last.sippEnded - first.sippEnded : 0;
const steadyS = first && last ? last.t - first.t : 0;
const serverCpuS = first && last ? last.cpuS - first.cpuS : Number.NaN;
const sippCpuS = first && last ? last.sippCpuS - first.sippCpuS : Number.NaN;
const callsUp = steady.map((s) => s.sippCurrent).sort((a, b) => a - b);
const loads = samples.map((s) => s.load1);
const successful = perCaller.reduce((a, p) => a + p.successful, 0);
const failed = perCaller.reduce((a, p) => a + p.failed, 0);
const created = perCaller.reduce((a, p) => a + p.created, 0);
const dispositions: Record<string, number> = {};
for (const c of cdrs) dispositions[c.disposition] = (dispositions[c.disposition] ?? 0) + 1;

const result: SoakResult = {
  date: startedAt.toISOString(),
  endedAt: endedAt.toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', node: process.version },
  minutes,
  concurrency,
  dtmf: methods,
  warmupS,
  calls: {
    created,
    successful,
    failed,
    retransmissions: perCaller.reduce((a, p) => a + p.retransmissions, 0),
    sippKilled,
    sippEarlyExit,
    perMethod: perCaller.map((p) => ({
      method: p.method,
      limit: p.limit,
      rate: p.rate,
      exitCode: p.exitCode,
      created: p.created,
      successful: p.successful,
      failed: p.failed,
      failures: p.failures,
      cdrs: p.cdrs,
      rtpAtSipp: p.rtpAtSipp,
      rtpExpected: p.rtpExpected,
    })),
    callsUpMedian: percentile(callsUp, 50),
    callsUpMin: callsUp[0] ?? Number.NaN,
  },
  cdrs: {
    total: cdrs.length,
    dispositions,
    menu9: cdrs.filter((c) => c.trace.some((t) => /menu 9$/.test(t))).length,
    hungUpByPlatform: cdrs.filter((c) => c.hangupBy === 'platform').length,
    answered: cdrs.filter((c) => c.answeredAt !== null).length,
    withRecording: recorded.length,
  },
  memory: {
    idleRssMb: idle.rssMb,
    startRssMb: first?.rssMb ?? Number.NaN,
    endRssMb: last?.rssMb ?? Number.NaN,
    afterRssMb: after.rssMb,
    peakRssMb: Math.max(...samples.map((s) => s.rssMb)),
    rssSlopeMbPerMin: round(slope(steady.map((s) => [s.t / 60, s.rssMb])), 2),
    startHeapUsedMb: first?.heapUsedMb ?? Number.NaN,
    endHeapUsedMb: last?.heapUsedMb ?? Number.NaN,
    afterHeapUsedMb: after.heapUsedMb,
    heapSlopeMbPerMin: round(slope(steady.map((s) => [s.t / 60, s.heapUsedMb])), 2),
    startWorkerHeapUsedMb: first?.workerHeapUsedMb ?? Number.NaN,
    endWorkerHeapUsedMb: last?.workerHeapUsedMb ?? Number.NaN,
    afterWorkerHeapUsedMb: after.workerHeapUsedMb,
    workerHeapSlopeMbPerMin: round(slope(steady.map((s) => [s.t / 60, s.workerHeapUsedMb])), 2),
    allHeapUsedSlopeMbPerMin: round(
      slope(steady.map((s) => [s.t / 60, s.heapUsedMb + s.workerHeapUsedMb])),
      2,
    ),
    steadyRssMinMb: Math.min(...steady.map((s) => s.rssMb)),
    steadyRssMaxMb: Math.max(...steady.map((s) => s.rssMb)),
    idleFds: idle.fds,
    peakFds: Math.max(...samples.map((s) => s.fds)),
    afterFds: after.fds,
  },
  cpu: {
    steadySeconds: round(steadyS, 1),
    steadyCalls,
    serverPercentOfCore: round((serverCpuS / steadyS) * 100, 1),
    serverMsPerCall: round((serverCpuS * 1000) / steadyCalls, 1),
    sippPercentOfCore: round((sippCpuS / steadyS) * 100, 1),
    lagP99MsMedian: percentile(
      steady.map((s) => s.lagP99Ms).sort((a, b) => a - b),
      50,
    ),
    lagP99MsMax: Math.max(...steady.map((s) => s.lagP99Ms)),
  },
  responseMs: {
    inviteTo200: {
      n: rtd1.length,
      p50: percentile(rtd1, 50),
      p99: percentile(rtd1, 99),
      max: rtd1.at(-1) ?? Number.NaN,
    },
    infoTo200: {
      n: rtd2.length,
      p50: percentile(rtd2, 50),
      p99: percentile(rtd2, 99),
      max: rtd2.at(-1) ?? Number.NaN,
    },
  },
  audio: {
    sampled: callerRatios.length,
    pcapAudibleFrames: pcapAudible,
    callerRatioMedian: round(percentile(callerRatios, 50), 3),
    callerRatioMin: round(callerRatios[0] ?? Number.NaN, 3),
    platformAudibleSecondsMedian: percentile(platformSeconds, 50),
    rtpPacketsAtSipp: perCaller.reduce((a, p) => a + p.rtpAtSipp, 0),
    rtpPacketsExpected: expectedRtp(cdrs),
  },
  serverLog: { warn: levelCount(40), error: serverErrors.length },
  load: {
    uptimeAtStart,
    uptimeAtEnd,
    load1Min: Math.min(...loads),
    load1Max: Math.max(...loads),
  },
  samples,
};

console.log('');
console.log(markdownBlock(result));
if (failed > 0 || cdrs.length !== created || serverErrors.length > 0) {
  for (const p of perCaller)
    if (p.errorTail.trim()) console.log(`\nSIPp ${p.method} error log (tail):\n${p.errorTail}`);
  if (serverErrors.length)
    console.log(`\nserver errors (first 10):\n${serverErrors.slice(0, 10).join('\n')}`);
}
// A run where a SIPp instance died is the bench's failure, not a measurement: not saved.
if (args.write && sippEarlyExit) {
  console.log('\nnot written to docs/BENCHMARKS.md: a SIPp instance exited early (see above)');
}
if (args.write && !sippEarlyExit) {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `ivr-soak-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  rewriteDoc(result);
  console.log(`wrote ${file} and docs/BENCHMARKS.md ("## Inbound calls")`);
}
const clean = failed === 0 && successful > 0 && cdrs.length === created && !sippEarlyExit;
if (clean) {
  for (const c of callers) rmSync(c.dir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
} else {
  // Keep the evidence (server log, SIPp logs), not the recordings.
  rmSync(join(dataDir, 'recordings'), { recursive: true, force: true });
  console.log(`\nkept for inspection: ${dataDir} ${callers.map((c) => c.dir).join(' ')}`);
}
clearTimeout(giveUp);
process.exitCode = clean ? 0 : 1;
