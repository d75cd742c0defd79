/**
 * SIPp `uac` against the answering app (e2e/sip/support/answering-app-main.ts, a UAS built
 * only on @uketsuke/sip) at increasing call rates. For each step it records the calls per
 * second SIPp achieved, its successful and failed calls, and the app's CPU time from
 * /proc/<pid>/stat divided by the SIP messages it handled (SIPp's built-in uac makes 7
 * per call: INVITE, 100, 180, 200, ACK, BYE, 200; plus SIPp's retransmissions, which the
 * app also receives). The app's CPU includes its idle work and JIT warm-up, which weigh
 * most at low rates. Stops at the first step with a failed call or where SIPp achieves
 * less than 90 % of the asked rate (saturation: SIPp and the app share this machine). Prints one JSON line per step and a summary; writes nothing else unless --out.
 *
 *   node bench/sip/sipp-uac-rate.ts [--rates 100,200,400] [--seconds 5] [--out file.json]
 *
 * Only 127.0.0.1 is used. Needs SIPp (Debian `sip-tester`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const SIPP = process.env.UKETSUKE_SIPP ?? '/usr/bin/sipp';
const APP = resolve(import.meta.dirname, '../../e2e/sip/support/answering-app-main.ts');
const MESSAGES_PER_CALL = 7;

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '100,200,400,800,1200,1600,2400' },
    seconds: { type: 'string', default: '5' },
    port: { type: 'string', default: '5080' },
    out: { type: 'string' },
  },
});
const rates = (values.rates ?? '')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const seconds = Number(values.seconds);
const port = Number(values.port);

if (!existsSync(SIPP)) {
  console.error(`SIPp not found at ${SIPP}: apt-get install sip-tester`);
  process.exit(2);
}

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime + stime of a process in microseconds (/proc/<pid>/stat fields 14 and 15). */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / ticksPerSecond;
}

function startApp(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [APP, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('answering app did not start')), 10_000);
    proc.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) {
        clearTimeout(timer);
        res(proc);
      }
    });
    proc.once('exit', (code) => rej(new Error(`answering app exited ${code}`)));
  });
}

interface Step {
  rate: number;
  calls: number;
  successful: number;
  failed: number;
  retransmissions: number;
  elapsedS: number;
  callsPerSecond: number;
  appCpuUs: number;
  cpuUsPerMessage: number;
  sippExit: number | null;
}

function runStep(rate: number): Promise<Omit<Step, 'appCpuUs' | 'cpuUsPerMessage'>> {
  const calls = Math.round(rate * seconds);
  const dir = mkdtempSync(join(tmpdir(), 'uk-bench-'));
  const stat = join(dir, 'stat.csv');
  const args = [
    `127.0.0.1:${port}`,
    '-i',
    '127.0.0.1',
    '-sn',
    'uac',
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
    '-timeout',
    `${seconds * 4 + 30}s`,
  ];
  const started = performance.now();
  const sipp = spawn(SIPP, args, { cwd: dir, stdio: 'ignore' });
  const kill = setTimeout(() => sipp.kill('SIGKILL'), (seconds * 4 + 60) * 1000);
  return new Promise((res) => {
    sipp.once('close', (code) => {
      clearTimeout(kill);
      const elapsedS = (performance.now() - started) / 1000;
      const lines = existsSync(stat)
        ? readFileSync(stat, 'utf8')
            .split('\n')
            .filter((l) => l.trim() !== '')
        : [];
      const header = lines[0]?.split(';') ?? [];
      const last = lines.at(-1)?.split(';') ?? [];
      const col = (name: string) => Number(last[header.indexOf(name)] ?? Number.NaN);
      rmSync(dir, { recursive: true, force: true });
      const successful = col('SuccessfulCall(C)');
      res({
        rate,
        calls,
        successful,
        failed: col('FailedCall(C)'),
        retransmissions: col('Retransmissions(C)'),
        elapsedS: Math.round(elapsedS * 100) / 100,
        callsPerSecond: Math.round((successful / elapsedS) * 10) / 10,
        sippExit: code,
      });
    });
  });
}

const app = await startApp();
const pid = app.pid ?? 0;
const steps: Step[] = [];
try {
  for (const rate of rates) {
    const before = cpuMicros(pid);
    const step = await runStep(rate);
    const appCpuUs = cpuMicros(pid) - before;
    // SIPp's retransmissions are messages the app handled too (absorbed or answered again).
    const messages = step.successful * MESSAGES_PER_CALL + (step.retransmissions || 0);
    const full: Step = {
      ...step,
      appCpuUs,
      cpuUsPerMessage: messages > 0 ? Math.round((appCpuUs / messages) * 10) / 10 : Number.NaN,
    };
    steps.push(full);
    console.log(JSON.stringify(full));
    if (full.failed !== 0 || full.sippExit !== 0) break;
    // Saturated: SIPp could not place calls at the asked rate (retransmissions pile up).
    if (full.callsPerSecond < 0.9 * rate) break;
  }
} finally {
  app.kill('SIGTERM');
}
// The best step: zero failed calls and SIPp keeping up with the asked rate.
const clean = steps.filter(
  (s) => s.failed === 0 && s.sippExit === 0 && s.callsPerSecond >= 0.9 * s.rate,
);
const best = clean.at(-1);
const summary = {
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  secondsPerStep: seconds,
  highestZeroFailureRate: best?.rate,
  callsPerSecondAtThatRate: best?.callsPerSecond,
  cpuUsPerMessageAtThatRate: best?.cpuUsPerMessage,
  steps,
};
console.log(JSON.stringify(summary));
if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify(summary, null, 2)}\n`);
