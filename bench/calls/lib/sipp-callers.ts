/**
 * The callers of the soak benchmark: SIPp (Debian `sip-tester`) UAC instances, one per DTMF
 * method, each keeping its share of the concurrent calls up (`-l`) at a call rate above
 * what the call length needs, so a new call starts as soon as one ends. Stopped with
 * SIGUSR1 (SIPp stops placing calls and exits when the calls in progress are over), with
 * SIPp's own global `-timeout` and a SIGKILL as the bounds behind it.
 *
 * Each instance writes, in its own temporary directory: its statistics CSV every 5 s
 * (-trace_stat), every call's response times (-trace_rtt: rtd 1 = INVITE → 200 OK,
 * rtd 2 = INFO → 200 OK), its error log (-trace_err) and its final screen.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { udpPortCounters } from './proc-stats.ts';

export const SIPP = process.env.UKETSUKE_SIPP ?? '/usr/bin/sipp';
/** What every caller says (7 s of A-law speech); the scenarios name it too. */
export const CALLER_AUDIO_PCAP = '/usr/share/sip-tester/g711a.pcap';
const SCENARIOS = resolve(import.meta.dirname, '../scenarios');

export type DtmfMethod = 'info' | 'rfc2833';

export interface CallerOptions {
  method: DtmfMethod;
  /** host:port of the server's SIP listener. */
  remote: string;
  service: string;
  limit: number;
  /** Calls per second SIPp tries to place (the limit caps the calls up at once). */
  rate: number;
  sipPort: number;
  mediaPort: number;
  /** SIPp's own global timeout (it exits, whatever the calls in progress). */
  timeoutS: number;
}

/** Cumulative counters from the last row of SIPp's statistics CSV. */
export interface SippCounters {
  created: number;
  current: number;
  successful: number;
  failed: number;
  retransmissions: number;
  /** Every non-zero Failed…(C) column, e.g. FailedTimeoutOnRecv. */
  failures: Record<string, number>;
}

export class SippCaller {
  readonly options: CallerOptions;
  readonly dir: string;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  #output = '';
  #rtpPoll: NodeJS.Timeout;
  /** RTP packets that reached the media port (kernel drops: SIPp reads none), polled. */
  rtpPacketsReceived = 0;

  constructor(options: CallerOptions) {
    this.options = options;
    this.dir = mkdtempSync(join(tmpdir(), `uk-soak-sipp-${options.method}-`));
    const args = [
      options.remote,
      '-i',
      '127.0.0.1',
      '-p',
      String(options.sipPort),
      '-mp',
      String(options.mediaPort),
      '-sf',
      join(SCENARIOS, `ivr-soak-${options.method}.xml`),
      '-s',
      options.service,
      '-l',
      String(options.limit),
      '-r',
      String(options.rate),
      '-nostdin',
      '-trace_stat',
      '-stf',
      this.statFile,
      '-fd',
      '5',
      '-trace_err',
      '-error_file',
      this.errorFile,
      '-trace_rtt',
      '-rtt_freq',
      '1',
      '-trace_screen',
      '-screen_file',
      join(this.dir, 'screen.log'),
      '-timeout',
      `${options.timeoutS}s`,
    ];
    this.process = spawn(SIPP, args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      this.#output = (this.#output + d.toString()).slice(-8000);
    };
    this.process.stdout?.on('data', keep);
    this.process.stderr?.on('data', keep);
    this.exited = new Promise((r) => this.process.once('close', (code) => r(code)));
    // The socket's counters vanish when SIPp exits: keep the highest seen, every 0.5 s.
    this.#rtpPoll = setInterval(() => {
      const n = udpPortCounters([options.mediaPort]).drops;
      if (n > this.rtpPacketsReceived) this.rtpPacketsReceived = n;
    }, 500);
    void this.exited.then(() => clearInterval(this.#rtpPoll));
  }

  get statFile(): string {
    return join(this.dir, 'stat.csv');
  }

  get errorFile(): string {
    return join(this.dir, 'errors.log');
  }

  get output(): string {
    return this.#output;
  }

  /** SIPp's soft stop: no new calls; exits once the calls in progress end. */
  stopPlacingCalls(): void {
    if (this.process.exitCode === null) this.process.kill('SIGUSR1');
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null)
      this.process.kill('SIGKILL');
  }

  counters(): SippCounters | undefined {
    if (!existsSync(this.statFile)) return undefined;
    const lines = readFileSync(this.statFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    if (lines.length < 2) return undefined;
    const header = lines[0]!.split(';');
    const last = lines.at(-1)!.split(';');
    const col = (name: string) => Number(last[header.indexOf(name)] ?? Number.NaN);
    const failures: Record<string, number> = {};
    header.forEach((name, i) => {
      if (/^Failed.+\(C\)$/.test(name) && Number(last[i]) > 0) failures[name] = Number(last[i]);
    });
    return {
      created: col('TotalCallCreated'),
      current: col('CurrentCall'),
      successful: col('SuccessfulCall(C)'),
      failed: col('FailedCall(C)'),
      retransmissions: col('Retransmissions(C)'),
      failures,
    };
  }

  /** Response times in ms by rtd number, from the -trace_rtt file(s). */
  responseTimes(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const f of readdirSync(this.dir).filter((n) => n.endsWith('_rtt.csv'))) {
      for (const line of readFileSync(join(this.dir, f), 'utf8').split('\n').slice(1)) {
        const [, ms, rtd] = line.split(';');
        if (ms === undefined || rtd === undefined) continue;
        const list = out.get(Number(rtd)) ?? [];
        // SIPp writes milliseconds with a fraction (e.g. 108.001); its clock ticks in ms.
        list.push(Math.round(Number(ms)));
        out.set(Number(rtd), list);
      }
    }
    return out;
  }

  errorLogTail(lines = 40): string {
    if (!existsSync(this.errorFile)) return '';
    return readFileSync(this.errorFile, 'utf8').split('\n').slice(-lines).join('\n');
  }
}
