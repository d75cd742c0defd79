/**
 * One run, three answering peers behind the same SIPp UAC, at rising call rates:
 *
 *   uketsuke  the answering app built on @uketsuke/sip (e2e/sip/support/answering-app-main.ts)
 *   kamailio  Kamailio 5.6, stateful t_relay with record_route, to a SIPp UAS
 *   npm-sip   a minimal UAS on the npm package `sip` 0.0.6 (bench/sip/npm-sip-uas.ts)
 *   baseline  with --baseline-app PATH: the answering app of another checkout (before/after
 *             comparisons of our stack in one run)
 *
 * SIPp runs the same UAC scenario against all three (e2e/sip/support/kamailio-scenarios.ts:
 * the built-in `uac` flow, with ACK and BYE following Record-Route so the proxy can relay
 * them). Per step: calls asked = rate × seconds; SIPp's successful / failed calls and
 * retransmissions; the peer's CPU (utime + stime from /proc/<pid>/stat, for Kamailio summed
 * over all its processes) from SIPp's start to one second after it exits, divided by the
 * SIP messages that peer sent and received. Messages are counted by the SIPp processes
 * facing the peer (their final -trace_screen: every message row's sent/received count
 * plus retransmissions, plus discarded dead-call and out-of-call messages): for a UAS
 * that is the UAC's traffic, for the proxy the UAC's and the UAS's together (the UAS is
 * started afresh for every step). On loopback what SIPp counts is what the peer handled.
 *
 * A rate counts as achieved when no call failed, SIPp exited 0 and at least 90 % of the
 * asked rate was achieved; stepping stops at the first rate that is not. Repetitions
 * interleave the peers (rotating their order) so drift in the machine's load spreads
 * over all three. Prints one JSON line per step and a summary with medians and ratios.
 *
 *   node bench/sip/compare-uas.ts [--rates 500,1000,…] [--seconds 4] [--reps 3]
 *        [--reference-rate 1000] [--targets uketsuke,kamailio,npm-sip] [--out file.json]
 *        [--baseline-app ../other-checkout/e2e/sip/support/answering-app-main.ts]
 *        [--warmup-rate 1000]   (one unmeasured run per target first; default none)
 *
 * Only 127.0.0.1 is used, on UDP ports 15370–15375. Needs SIPp and Kamailio (Debian).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  KAMAILIO_SKIP,
  processCpuMicros,
  startKamailio,
} from '@uketsuke/e2e/sip/support/kamailio.ts';
import { uacRecordRoute, uasRecordRoute } from '@uketsuke/e2e/sip/support/kamailio-scenarios.ts';

const SIPP = process.env.UKETSUKE_SIPP ?? '/usr/bin/sipp';
const OUR_APP = resolve(import.meta.dirname, '../../e2e/sip/support/answering-app-main.ts');
const NPM_SIP_APP = resolve(import.meta.dirname, 'npm-sip-uas.ts');
const PORTS = {
  kamailio: 15370,
  sippUas: 15371,
  uketsuke: 15372,
  npmSip: 15373,
  uac: 15374,
  baseline: 15375,
};

const TARGET_NAMES = ['uketsuke', 'kamailio', 'npm-sip', 'baseline'] as const;
type TargetName = (typeof TARGET_NAMES)[number];

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '500,1000,1500,2000,2500,3000,3500,4000' },
    seconds: { type: 'string', default: '4' },
    reps: { type: 'string', default: '3' },
    'reference-rate': { type: 'string', default: '1000' },
    targets: { type: 'string', default: 'uketsuke,kamailio,npm-sip' },
    'baseline-app': { type: 'string' },
    out: { type: 'string' },
    'warmup-rate': { type: 'string', default: '0' },
  },
});
const rates = (values.rates ?? '')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const seconds = Number(values.seconds);
const reps = Number(values.reps);
/** Calls per second of one unmeasured SIPp run before a target's steps (0: none). */
const warmupRate = Number(values['warmup-rate']);
const referenceRate = Number(values['reference-rate']);
const baselineApp = values['baseline-app'];
const targets = (values.targets ?? '')
  .split(',')
  .filter((t): t is TargetName => (TARGET_NAMES as readonly string[]).includes(t));
// `--baseline-app PATH`: another checkout's answering-app-main.ts as a fourth target, so
// a change to our stack is measured before/after in the same run, under the same load.
if (baselineApp !== undefined && !targets.includes('baseline')) targets.push('baseline');

if (!existsSync(SIPP)) {
  console.error(`SIPp not found at ${SIPP}: apt-get install sip-tester`);
  process.exit(2);
}
if (targets.includes('kamailio') && KAMAILIO_SKIP !== undefined) {
  console.error(KAMAILIO_SKIP);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'uk-bench-compare-'));
const uacScenario = join(work, 'uac-rr.xml');
writeFileSync(uacScenario, uacRecordRoute({ checkRecordRoute: false }));
const uasScenario = join(work, 'uas-rr.xml');
writeFileSync(uasScenario, uasRecordRoute({}));

interface Target {
  name: TargetName;
  remote: string;
  cpuMicros(): number;
  /** Before a step: start what stands behind the peer (the proxy's SIPp UAS). */
  beginStep(calls: number): Promise<void>;
  /** After a step: messages the peer exchanged with what stands behind it. */
  endStep(): Promise<{ messages: number; failed: number }>;
  stop(): Promise<void>;
}

/**
 * Messages on SIPp's final scenario screen (-trace_screen): each message row's count and
 * retransmissions (sent or received), unexpected messages, and the discarded dead-call
 * and out-of-call messages.
 */
function screenMessages(screen: string): number {
  const at = screen.lastIndexOf('Scenario Screen');
  let part = at < 0 ? screen : screen.slice(at);
  const end = part.indexOf('Statistics Screen');
  if (end >= 0) part = part.slice(0, end);
  let total = 0;
  for (const line of part.split('\n')) {
    // "INVITE ---------->" on a UAC's screen, "----------> INVITE" on a UAS's.
    const row =
      /^\s*(?:\S+\s+(?:<-+|-+>)|(?:<-+|-+>)\s+\S+)\s+(?:E-RTD\d+\s+)?(\d+)\s+(\d+)(?:\s+(\d+))?(?:\s+(\d+))?/.exec(
        line,
      );
    if (row !== null) {
      // Messages + retransmissions; a fourth column (receive rows) counts unexpected ones.
      total += Number(row[1]) + Number(row[2]) + Number(row[4] ?? 0);
    }
    const discarded = /(\d+) dead call msg \(discarded\)(?:\s+(\d+) out-of-call msg)?/.exec(line);
    if (discarded !== null) total += Number(discarded[1]) + Number(discarded[2] ?? 0);
  }
  return total;
}

function readText(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Last row of a SIPp -trace_stat CSV, column name → number. */
function sippStats(file: string): Record<string, number> {
  if (!existsSync(file)) return {};
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const header = lines[0]?.split(';') ?? [];
  const last = lines.at(-1)?.split(';') ?? [];
  const out: Record<string, number> = {};
  header.forEach((name, i) => {
    if (name !== '') out[name] = Number(last[i]);
  });
  return out;
}

function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('close', () => {
      clearTimeout(killer);
      res();
    });
    proc.kill('SIGTERM');
  });
}

/** A Node UAS in its own process; resolves once it prints "listening". */
function startNodeUas(script: string, port: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [script, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${script} did not start`)), 10_000);
    proc.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) {
        clearTimeout(timer);
        res(proc);
      }
    });
    proc.once('exit', (code) => rej(new Error(`${script} exited ${code}`)));
  });
}

async function startTarget(name: TargetName): Promise<Target> {
  if (name === 'kamailio') {
    const kamailio = await startKamailio({
      port: PORTS.kamailio,
      target: `127.0.0.1:${PORTS.sippUas}`,
    });
    let uas: ChildProcess | undefined;
    let exited: Promise<void> = Promise.resolve();
    const screen = join(work, 'uas-screen.log');
    const stat = join(work, 'uas-stat.csv');
    return {
      name,
      remote: kamailio.address,
      cpuMicros: () => kamailio.cpuMicros(),
      beginStep: async (calls) => {
        rmSync(screen, { force: true });
        rmSync(stat, { force: true });
        uas = spawn(
          SIPP,
          [
            '-sf',
            uasScenario,
            '-i',
            '127.0.0.1',
            '-p',
            String(PORTS.sippUas),
            '-m',
            String(calls),
            '-nostdin',
            '-trace_screen',
            '-screen_file',
            screen,
            '-trace_stat',
            '-stf',
            stat,
            '-fd',
            '1',
          ],
          { cwd: work, stdio: 'ignore' },
        );
        const proc = uas;
        exited = new Promise((res) => proc.once('close', () => res()));
        await sleep(300);
      },
      endStep: async () => {
        // The UAS ends by itself after its last call's 4 s time-wait; bounded anyway.
        const proc = uas;
        if (proc !== undefined) {
          const killer = setTimeout(() => proc.kill('SIGTERM'), 15_000);
          await exited;
          clearTimeout(killer);
        }
        return {
          messages: screenMessages(readText(screen)),
          failed: sippStats(stat)['FailedCall(C)'] || 0,
        };
      },
      stop: async () => {
        if (uas !== undefined) await stopProcess(uas);
        await kamailio.stop();
      },
    };
  }
  const port =
    name === 'uketsuke' ? PORTS.uketsuke : name === 'baseline' ? PORTS.baseline : PORTS.npmSip;
  const script =
    name === 'uketsuke'
      ? OUR_APP
      : name === 'baseline'
        ? resolve(baselineApp ?? OUR_APP)
        : NPM_SIP_APP;
  const proc = await startNodeUas(script, port);
  const pid = proc.pid ?? 0;
  return {
    name,
    remote: `127.0.0.1:${port}`,
    cpuMicros: () => processCpuMicros(pid),
    beginStep: async () => {},
    endStep: async () => ({ messages: 0, failed: 0 }),
    stop: () => stopProcess(proc),
  };
}

interface Step {
  target: TargetName;
  rep: number;
  rate: number;
  calls: number;
  successful: number;
  failed: number;
  /** SIPp UAC's retransmissions. */
  retransmissions: number;
  elapsedS: number;
  callsPerSecond: number;
  sippExit: number | null;
  cpuUs: number;
  messages: number;
  messagesPerCall: number;
  cpuUsPerMessage: number;
  clean: boolean;
}

type UacResult = Omit<
  Step,
  'target' | 'rep' | 'cpuUs' | 'messages' | 'messagesPerCall' | 'cpuUsPerMessage' | 'clean'
> & { uacMessages: number };

function runUac(remote: string, rate: number): Promise<UacResult> {
  const calls = Math.round(rate * seconds);
  const stat = join(work, `uac-${rate}-${Date.now()}.csv`);
  const screen = join(work, `uac-${rate}-${Date.now()}.screen`);
  const args = [
    remote,
    '-sf',
    uacScenario,
    '-s',
    'service',
    '-i',
    '127.0.0.1',
    '-p',
    String(PORTS.uac),
    '-r',
    String(rate),
    '-m',
    String(calls),
    '-l',
    String(Math.max(100, rate * 4)),
    '-nostdin',
    '-trace_stat',
    '-stf',
    stat,
    '-fd',
    '1',
    '-trace_screen',
    '-screen_file',
    screen,
    '-timeout',
    `${seconds * 4 + 30}s`,
  ];
  const started = performance.now();
  const sipp = spawn(SIPP, args, { cwd: work, stdio: 'ignore' });
  const kill = setTimeout(() => sipp.kill('SIGKILL'), (seconds * 4 + 60) * 1000);
  return new Promise((res) => {
    sipp.once('close', (code) => {
      clearTimeout(kill);
      const elapsedS = (performance.now() - started) / 1000;
      const s = sippStats(stat);
      const uacMessages = screenMessages(readText(screen));
      rmSync(stat, { force: true });
      rmSync(screen, { force: true });
      const successful = s['SuccessfulCall(C)'] ?? Number.NaN;
      res({
        rate,
        calls,
        successful,
        failed: s['FailedCall(C)'] ?? Number.NaN,
        retransmissions: s['Retransmissions(C)'] ?? Number.NaN,
        elapsedS: Math.round(elapsedS * 100) / 100,
        callsPerSecond: Math.round((successful / elapsedS) * 10) / 10,
        sippExit: code,
        uacMessages,
      });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One unmeasured run (same scenario and length as a step) so the measured steps see a
 * warm process: a server runs warm, and a fresh Node process spends its first seconds
 * compiling (V8's JIT threads count in its CPU). Every target gets the same run.
 */
async function warmUp(target: Target): Promise<void> {
  await target.beginStep(Math.round(warmupRate * seconds));
  const warm = await runUac(target.remote, warmupRate);
  await sleep(1000);
  await target.endStep();
  console.log(
    `# ${target.name} warm-up at ${warmupRate}/s: ${warm.successful} calls, ${warm.failed} failed`,
  );
  await sleep(1000);
}

async function stepUp(target: Target, rep: number): Promise<Step[]> {
  const steps: Step[] = [];
  if (warmupRate > 0) await warmUp(target);
  for (const rate of rates) {
    await target.beginStep(Math.round(rate * seconds));
    const cpuBefore = target.cpuMicros();
    const { uacMessages, ...uac } = await runUac(target.remote, rate);
    await sleep(1000); // the peer's tail of work for this step (ACK/BYE transactions)
    const cpuUs = target.cpuMicros() - cpuBefore;
    const back = await target.endStep();
    const messages = uacMessages + back.messages;
    const step: Step = {
      target: target.name,
      rep,
      ...uac,
      failed: uac.failed + back.failed,
      cpuUs: Math.round(cpuUs),
      messages,
      messagesPerCall: uac.successful > 0 ? Math.round((messages / uac.successful) * 100) / 100 : 0,
      cpuUsPerMessage: messages > 0 ? Math.round((cpuUs / messages) * 10) / 10 : Number.NaN,
      clean:
        uac.failed === 0 &&
        back.failed === 0 &&
        uac.sippExit === 0 &&
        uac.callsPerSecond >= 0.9 * rate,
    };
    steps.push(step);
    console.log(JSON.stringify(step));
    if (!step.clean) break;
    await sleep(1000);
  }
  return steps;
}

function median(xs: number[]): number | undefined {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : ((v[mid - 1] ?? 0) + (v[mid] ?? 0)) / 2;
}

const uptime = () => execFileSync('uptime').toString().trim();
const busiest = () =>
  execFileSync('ps', ['-eo', 'pcpu,comm', '--sort=-pcpu', '--no-headers'])
    .toString()
    .split('\n')
    .slice(0, 8)
    .map((l) => l.trim())
    .filter((l) => l !== '');

const loadBefore = uptime();
const processesBefore = busiest();
console.log(`# ${loadBefore}`);
const all: Step[] = [];
try {
  for (let rep = 1; rep <= reps; rep++) {
    // Rotate the order so each peer runs first, second and third once per three reps.
    const order = targets.map((_, i) => targets[(i + rep - 1) % targets.length] as TargetName);
    for (const name of order) {
      const target = await startTarget(name);
      try {
        all.push(...(await stepUp(target, rep)));
      } finally {
        await target.stop();
      }
      await sleep(2000);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const round = (x: number | undefined, digits = 1) =>
  x === undefined ? undefined : Math.round(x * 10 ** digits) / 10 ** digits;
const perTarget = Object.fromEntries(
  targets.map((name) => {
    const highest: number[] = [];
    const cpuAtHighest: number[] = [];
    const cpuAtReference: number[] = [];
    for (let rep = 1; rep <= reps; rep++) {
      const steps = all.filter((s) => s.target === name && s.rep === rep);
      const best = steps.filter((s) => s.clean).at(-1);
      highest.push(best?.rate ?? 0);
      if (best !== undefined) cpuAtHighest.push(best.cpuUsPerMessage);
      const ref = steps.find((s) => s.rate === referenceRate && s.clean);
      if (ref !== undefined) cpuAtReference.push(ref.cpuUsPerMessage);
    }
    return [
      name,
      {
        highestZeroFailureRate: { median: median(highest), reps: highest },
        cpuUsPerMessageAtHighest: { median: median(cpuAtHighest), reps: cpuAtHighest },
        cpuUsPerMessageAtReference: { median: median(cpuAtReference), reps: cpuAtReference },
      },
    ];
  }),
) as unknown as Record<
  TargetName,
  {
    highestZeroFailureRate: { median?: number };
    cpuUsPerMessageAtHighest: { median?: number };
    cpuUsPerMessageAtReference: { median?: number };
  }
>;

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? undefined : round(a / b, 2);
const ours = perTarget.uketsuke;
const ratios = Object.fromEntries(
  targets
    .filter((t) => t !== 'uketsuke' && ours !== undefined)
    .map((t) => [
      `uketsuke/${t}`,
      {
        highestZeroFailureRate: ratio(
          ours?.highestZeroFailureRate.median,
          perTarget[t]?.highestZeroFailureRate.median,
        ),
        cpuUsPerMessageAtReference: ratio(
          ours?.cpuUsPerMessageAtReference.median,
          perTarget[t]?.cpuUsPerMessageAtReference.median,
        ),
        cpuUsPerMessageAtHighest: ratio(
          ours?.cpuUsPerMessageAtHighest.median,
          perTarget[t]?.cpuUsPerMessageAtHighest.median,
        ),
      },
    ]),
);

const summary = {
  machine: { cpus: cpus().length, node: process.version },
  loadBefore,
  loadAfter: uptime(),
  busiestProcessesBefore: processesBefore,
  secondsPerStep: seconds,
  reps,
  rates,
  warmupRate,
  referenceRate,
  perTarget,
  ratios,
  steps: all,
};
console.log(JSON.stringify({ ...summary, steps: undefined }, null, 2));
if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify(summary, null, 2)}\n`);
