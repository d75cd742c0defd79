/**
 * Running SIPp (Debian `sip-tester`) as a real peer: spawn with a hard time bound, then
 * read its exit code, its -trace_stat CSV (last row) and its -trace_screen dump. Every
 * process started here is remembered so an `after` hook can kill it even when a test fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SIPP = process.env.UKETSUKE_SIPP ?? '/usr/bin/sipp';

/** Reason to skip SIPp suites, or undefined when SIPp is installed. */
export const SIPP_SKIP: string | undefined = existsSync(SIPP)
  ? undefined
  : `SIPp not installed at ${SIPP} (apt-get install sip-tester)`;

export const SCENARIOS = resolve(import.meta.dirname, '../scenarios');

const running = new Set<ChildProcess>();

/** Kill every SIPp still running (use in `after`). */
export function killAllSipp(): void {
  for (const p of running) {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }
  running.clear();
}

export interface SippResult {
  exitCode: number | null;
  /** Last row of the statistics CSV, column name → value. */
  stats: Record<string, string>;
  successful: number;
  failed: number;
  /** The final screen (from -trace_screen). */
  screen: string;
  output: string;
}

export interface SippRun {
  /** Arguments after the remote address, e.g. ['-sn', 'uac', '-m', '5']. */
  args: string[];
  /** "host:port" of the peer for a UAC scenario; omit for a UAS. */
  remote?: string;
  /** Hard bound: SIGKILL after this long (default 60 s). */
  timeoutMs?: number;
}

/** A free UDP port on 127.0.0.1 (for SIPp in server mode). */
export function freeUdpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createSocket('udp4');
    s.once('error', rej);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => res(port));
    });
  });
}

function parseCsv(text: string): Record<string, string> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.split(';') ?? [];
  const last = lines.at(-1)?.split(';') ?? [];
  const out: Record<string, string> = {};
  header.forEach((name, i) => {
    if (name !== '') out[name] = last[i] ?? '';
  });
  return out;
}

/** Start SIPp; resolves when it exits (or is killed at the time bound). */
export function startSipp(run: SippRun): { done: Promise<SippResult>; process: ChildProcess } {
  const dir = mkdtempSync(join(tmpdir(), 'uk-sipp-'));
  const statFile = join(dir, 'stat.csv');
  const screenFile = join(dir, 'screen.log');
  const args = [
    ...(run.remote === undefined ? [] : [run.remote]),
    '-i',
    '127.0.0.1',
    '-nostdin',
    '-trace_stat',
    '-stf',
    statFile,
    '-fd',
    '1',
    '-trace_screen',
    '-screen_file',
    screenFile,
    ...run.args,
  ];
  const proc = spawn(SIPP, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const timer = setTimeout(() => proc.kill('SIGKILL'), run.timeoutMs ?? 60_000);
  const done = new Promise<SippResult>((res) => {
    proc.once('close', (code) => {
      clearTimeout(timer);
      running.delete(proc);
      const stats = existsSync(statFile) ? parseCsv(readFileSync(statFile, 'utf8')) : {};
      const screen = existsSync(screenFile) ? readFileSync(screenFile, 'utf8') : '';
      rmSync(dir, { recursive: true, force: true });
      res({
        exitCode: code,
        stats,
        successful: Number(stats['SuccessfulCall(C)'] ?? Number.NaN),
        failed: Number(stats['FailedCall(C)'] ?? Number.NaN),
        screen,
        output,
      });
    });
  });
  return { done, process: proc };
}

export function runSipp(run: SippRun): Promise<SippResult> {
  return startSipp(run).done;
}
