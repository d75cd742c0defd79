/**
 * The soak benchmark's result (also saved as JSON in bench/calls/results/), its markdown
 * summary, and the "## Inbound calls" section of docs/BENCHMARKS.md built from every saved run.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Sample {
  /** Seconds since SIPp started (negative or 0 for the idle sample). */
  t: number;
  phase: 'idle' | 'load' | 'drain' | 'after';
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** Sum over the server's worker threads (the media engine), from the heap probe. */
  workerHeapUsedMb: number;
  workerHeapTotalMb: number;
  workerExternalMb: number;
  lagP99Ms: number;
  cpuS: number;
  fds: number;
  threads: number;
  sippCurrent: number;
  sippEnded: number;
  sippCpuS: number;
  /** RTP packets that reached SIPp's media ports so far (kernel drops: SIPp reads none). */
  sippRtpPackets: number;
  load1: number;
}

interface Percentiles {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export interface SoakResult {
  date: string;
  endedAt: string;
  machine: { cpus: number; model: string; node: string };
  minutes: number;
  concurrency: number;
  dtmf: string[];
  warmupS: number;
  calls: {
    created: number;
    successful: number;
    failed: number;
    retransmissions: number;
    sippKilled: boolean;
    sippEarlyExit: boolean;
    perMethod: Array<{
      method: string;
      limit: number;
      rate: number;
      exitCode: number | null;
      created: number;
      successful: number;
      failed: number;
      failures: Record<string, number>;
      cdrs: number;
      rtpAtSipp: number;
      rtpExpected: number;
    }>;
    callsUpMedian: number;
    callsUpMin: number;
  };
  cdrs: {
    total: number;
    dispositions: Record<string, number>;
    menu9: number;
    hungUpByPlatform: number;
    answered: number;
    withRecording: number;
  };
  memory: {
    idleRssMb: number;
    startRssMb: number;
    endRssMb: number;
    afterRssMb: number;
    peakRssMb: number;
    rssSlopeMbPerMin: number;
    startHeapUsedMb: number;
    endHeapUsedMb: number;
    afterHeapUsedMb: number;
    heapSlopeMbPerMin: number;
    startWorkerHeapUsedMb: number;
    endWorkerHeapUsedMb: number;
    afterWorkerHeapUsedMb: number;
    workerHeapSlopeMbPerMin: number;
    /** Main thread + workers: the figure a leak in JavaScript objects would move. */
    allHeapUsedSlopeMbPerMin: number;
    steadyRssMinMb: number;
    steadyRssMaxMb: number;
    idleFds: number;
    peakFds: number;
    afterFds: number;
  };
  cpu: {
    steadySeconds: number;
    steadyCalls: number;
    serverPercentOfCore: number;
    serverMsPerCall: number;
    sippPercentOfCore: number;
    lagP99MsMedian: number;
    lagP99MsMax: number;
  };
  responseMs: { inviteTo200: Percentiles; infoTo200: Percentiles };
  audio: {
    sampled: number;
    pcapAudibleFrames: number;
    callerRatioMedian: number;
    callerRatioMin: number;
    platformAudibleSecondsMedian: number;
    rtpPacketsAtSipp: number;
    rtpPacketsExpected: number;
  };
  serverLog: { warn: number; error: number };
  load: { uptimeAtStart: string; uptimeAtEnd: string; load1Min: number; load1Max: number };
  samples: Sample[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const signed = (n: number) => (n >= 0 ? `+${n}` : `${n}`);
const dtmfName = (m: string) => (m === 'info' ? 'SIP INFO' : 'RFC 2833');
const loadPart = (s: string) => s.replace(/^.*load average: /, '');

/** The figures of one run as a markdown table. */
export function markdownBlock(r: SoakResult): string {
  const c = r.calls;
  const m = r.memory;
  const rt = (p: Percentiles) =>
    p.n > 0 ? `p50 ${p.p50} ms, p99 ${p.p99} ms, max ${p.max} ms (${p.n} calls)` : 'not measured';
  const perMethod = c.perMethod
    .map(
      (p) =>
        `${dtmfName(p.method)} ${p.successful}/${p.created}${p.failed ? ` (${p.failed} failed: ${JSON.stringify(p.failures)})` : ''}`,
    )
    .join('; ');
  const disp = Object.entries(r.cdrs.dispositions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `**${r.date.slice(0, 16).replace('T', ' ')} UTC — ${r.concurrency} concurrent calls for ${r.minutes} min, DTMF by ${r.dtmf.map(dtmfName).join(' + ')}** (${r.machine.cpus} × ${r.machine.model}, Node ${r.machine.node})`,
    '',
    '| figure | measured |',
    '|---|---|',
    `| calls placed / successful / failed (SIPp) | ${c.created} / ${c.successful} / **${c.failed}** (${perMethod}); ${c.retransmissions} SIPp retransmissions${c.sippKilled ? '; SIPp had to be killed' : ''}${c.sippEarlyExit ? '; **a SIPp instance exited early**' : ''} |`,
    `| call records listed by the API | ${r.cdrs.total} (${disp}); answered ${r.cdrs.answered}, "menu 9" in the trace ${r.cdrs.menu9}, hung up by the platform ${r.cdrs.hungUpByPlatform}, recorded ${r.cdrs.withRecording} |`,
    `| calls up at once after warm-up (SIPp, every 5 s) | median ${c.callsUpMedian}, min ${c.callsUpMin} |`,
    `| server RSS after warm-up → end of load | ${m.startRssMb} → ${m.endRssMb} MB (range ${m.steadyRssMinMb}–${m.steadyRssMaxMb} MB), least-squares slope **${signed(m.rssSlopeMbPerMin)} MB/min**; idle before ${m.idleRssMb} MB, peak ${m.peakRssMb} MB, 5 s after the last call ${m.afterRssMb} MB |`,
    `| V8 heap used, main thread + workers (what a JavaScript leak would grow) | least-squares slope **${signed(m.allHeapUsedSlopeMbPerMin)} MB/min** |`,
    `| V8 heap used (main thread, /metrics) | ${m.startHeapUsedMb} → ${m.endHeapUsedMb} MB, slope ${signed(m.heapSlopeMbPerMin)} MB/min; after the last call ${m.afterHeapUsedMb} MB |`,
    `| V8 heap used (worker threads: the media engine; heap probe) | ${m.startWorkerHeapUsedMb} → ${m.endWorkerHeapUsedMb} MB, slope ${signed(m.workerHeapSlopeMbPerMin)} MB/min; after the last call ${m.afterWorkerHeapUsedMb} MB |`,
    `| open file descriptors idle / peak / after | ${m.idleFds} / ${m.peakFds} / ${m.afterFds} |`,
    `| server CPU (utime + stime, after warm-up) | ${r.cpu.serverPercentOfCore} % of one core = **${r.cpu.serverMsPerCall} ms per call** (${r.cpu.steadyCalls} calls in ${r.cpu.steadySeconds} s); SIPp used ${r.cpu.sippPercentOfCore} % |`,
    `| event-loop lag p99 per 5 s (after warm-up) | median ${r.cpu.lagP99MsMedian} ms, worst ${r.cpu.lagP99MsMax} ms |`,
    `| INVITE → 200 OK (SIPp rtd, 1 ms resolution) | ${rt(r.responseMs.inviteTo200)} |`,
    `| INFO → 200 OK | ${rt(r.responseMs.infoTo200)} |`,
    `| caller's speech in the recordings (audible 20 ms frames in the caller channel ÷ ${r.audio.pcapAudibleFrames} in the pcap) | median ${r.audio.callerRatioMedian}, lowest ${r.audio.callerRatioMin} over ${r.audio.sampled} sampled calls; platform channel: median ${r.audio.platformAudibleSecondsMedian} s of sound |`,
    `| RTP that reached SIPp's media ports (kernel drop counters; SIPp reads none) vs 50 packets/s × answered time | ${r.audio.rtpPacketsAtSipp} of ${r.audio.rtpPacketsExpected} (${round1((r.audio.rtpPacketsAtSipp / r.audio.rtpPacketsExpected) * 100)} %; ${c.perMethod.map((p) => `${dtmfName(p.method)} ${round1((p.rtpAtSipp / p.rtpExpected) * 100)} %`).join(', ')}) |`,
    `| server log | ${r.serverLog.error} errors, ${r.serverLog.warn} warnings |`,
    `| load average (1, 5, 15 min) | start ${loadPart(r.load.uptimeAtStart)}; end ${loadPart(r.load.uptimeAtEnd)}; 1-min ${r.load.load1Min}–${r.load.load1Max} during the run |`,
  ].join('\n');
}

const ABOUT = [
  'Issue 5: "100 concurrent calls through an IVR flow for 5 minutes: zero failed calls, flat memory".',
  '`bench/calls/ivr-soak.ts` starts `main.ts --demo` as the README does (SQLite in a temporary',
  'data directory, its own SIP, RTP and HTTP ports) and drives the demo IVR (050-1234-5678) with',
  'two SIPp instances sharing the calls, one sending the menu digit as SIP INFO',
  '(application/dtmf-relay), one as RFC 2833 events replayed from the pcap SIPp ships. Each',
  'call: INVITE (PCMA + telephone-event), 200, ACK, the greeting and the menu (RTP from the',
  "server to SIPp's media port) while the caller speaks (7 s of A-law speech replayed from",
  "SIPp's `g711a.pcap`; the server records both directions), the digit 9, the announcement,",
  "and the platform's BYE — about 14 s with SIP INFO, 10.5 s with RFC 2833 (which interrupts",
  'the menu prompt). SIPp keeps the calls up with `-l` and refills each slot as a call ends.',
  'Every 5 s the script samples the server process (RSS from `/proc/<pid>/status`, V8 heap',
  'and event-loop lag from `/metrics`, CPU from `/proc/<pid>/stat`, open descriptors); memory',
  'and CPU figures leave out the first minute (warm-up). Call records are counted through the',
  'REST API as the demo admin.',
].join('\n');

/**
 * Rewrites "## Inbound calls" in docs/BENCHMARKS.md: the latest run, a row per saved run,
 * and `notes` (hand-written observations kept in bench/calls/results/notes.md), if any.
 */
export function writeBenchmarksSection(
  file: string,
  latest: SoakResult,
  all: SoakResult[],
  notes = '',
): void {
  const runs = [...all].sort((a, b) => a.date.localeCompare(b.date));
  const rows = runs.map(
    (r) =>
      `| ${r.date.slice(0, 16).replace('T', ' ')} | ${r.concurrency} × ${r.minutes} min | ${r.calls.created} | ${r.calls.successful} | ${r.calls.failed} | ${r.cdrs.total} | ${r.memory.startRssMb} → ${r.memory.endRssMb} MB | ${signed(r.memory.rssSlopeMbPerMin)} | ${r.memory.allHeapUsedSlopeMbPerMin === undefined ? '—' : signed(r.memory.allHeapUsedSlopeMbPerMin)} | ${r.cpu.serverMsPerCall} ms | ${r.responseMs.inviteTo200.p50} / ${r.responseMs.inviteTo200.p99} ms | ${r.load.load1Min}–${r.load.load1Max} |`,
  );
  const section = [
    '## Inbound calls',
    '',
    ABOUT,
    '',
    '**The machine was shared**: five other helper sessions ran their test suites and',
    'benchmarks on the same 2 cores during these runs (see the load averages), and SIPp ran on',
    'the same machine (its CPU is shown). CPU per call and response times are therefore',
    'pessimistic and noisy; the call counts and the memory trend are the firmer figures.',
    '',
    markdownBlock(latest),
    '',
    'Every saved run (JSON with the 5 s samples in `bench/calls/results/`; RSS = server process,',
    'after warm-up → end of load; slopes = least squares over that window; heap used = main',
    'thread + media worker, — where the run predates the worker probe; CPU = server per call):',
    '',
    '| start (UTC) | calls × time | placed | successful | failed | call records | RSS | RSS MB/min | heap used MB/min | CPU/call | INVITE→200 p50 / p99 | 1-min load |',
    '|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|',
    ...rows,
    '',
    ...(notes.trim() ? [notes.trim(), ''] : []),
    `Reproduce: \`node_modules/.bin/node bench/calls/ivr-soak.ts --minutes 5 --concurrency 100 --write\` (the runs above used \`--minutes\` ${[...new Set(runs.map((r) => r.minutes))].join(', ')}).`,
    '',
  ].join('\n');
  let doc = readFileSync(file, 'utf8');
  const re = /## Inbound calls\n[\s\S]*?(?=\n## |$)/;
  doc = re.test(doc) ? doc.replace(re, () => section) : `${doc.trimEnd()}\n\n${section}`;
  writeFileSync(file, doc);
}
