/**
 * The server under soak: `main.ts --demo` started the way the README starts it (SQLite in
 * a temporary data directory, its own SIP, RTP and HTTP ports), with the worker-heap probe
 * preloaded; waits for /healthz, logs in as the demo admin, and stops it as an operator
 * would (SIGTERM, bounded).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SoakServerOptions {
  /** The repository root. */
  root: string;
  httpPort: number;
  sipPort: number;
  /** UKETSUKE_RTP_PORTS, e.g. "37000-39799". */
  rtpPorts: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SoakServer {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly dataDir: string;
  readonly logPath: string;
  /** Base URL of the HTTP API. */
  readonly http: string;
  /** Where the probe appends each worker thread's heap statistics (JSON lines). */
  readonly workerHeapFile: string;
  /** The demo admin's session cookie, once `start` resolved. */
  cookie = '';

  private constructor(options: SoakServerOptions) {
    this.dataDir = mkdtempSync(join(tmpdir(), 'uk-soak-data-'));
    this.logPath = join(this.dataDir, 'server.log');
    this.http = `http://127.0.0.1:${options.httpPort}`;
    this.workerHeapFile = join(this.dataDir, 'worker-heap.jsonl');
    const logFd = openSync(this.logPath, 'w');
    this.process = spawn(
      process.execPath,
      // The probe only reads the worker threads' heap statistics (see worker-heap-probe.ts).
      [
        '--import',
        join(import.meta.dirname, 'worker-heap-probe.ts'),
        join(options.root, 'packages/server/src/main.ts'),
        '--demo',
      ],
      {
        cwd: options.root,
        env: {
          ...process.env,
          UKETSUKE_DATA_DIR: this.dataDir,
          UKETSUKE_HTTP_PORT: String(options.httpPort),
          UKETSUKE_HTTP_HOST: '127.0.0.1',
          UKETSUKE_SIP_PORT: String(options.sipPort),
          UKETSUKE_SIP_HOST: '127.0.0.1',
          UKETSUKE_RTP_PORTS: options.rtpPorts,
          UKETSUKE_LOG_LEVEL: 'info',
          UKETSUKE_BENCH_WORKER_HEAP_FILE: this.workerHeapFile,
        },
        stdio: ['ignore', logFd, logFd],
      },
    );
    closeSync(logFd);
    this.pid = this.process.pid ?? 0;
  }

  /** Start, wait until healthy (60 s at most) and log in; throws with the log's tail. */
  static async start(options: SoakServerOptions): Promise<SoakServer> {
    const server = new SoakServer(options);
    await server.#waitHealthy();
    const login = await fetch(`${server.http}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password: 'admin-demo-pass' }),
    });
    if (!login.ok) {
      server.kill();
      throw new Error(`demo admin login failed: ${login.status} ${await login.text()}`);
    }
    server.cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return server;
  }

  async #waitHealthy(): Promise<void> {
    for (let i = 0; i < 600; i++) {
      if (this.process.exitCode !== null) break;
      try {
        if ((await fetch(`${this.http}/healthz`)).ok) return;
      } catch {}
      await sleep(100);
    }
    this.kill();
    throw new Error(`the server did not become healthy:\n${this.logTail()}`);
  }

  logTail(lines = 30): string {
    return readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** The latest heap statistics of each worker thread, summed (from the probe's file). */
  workerHeaps(): { usedMb: number; totalMb: number; externalMb: number } {
    const latest = new Map<string, { usedHeap: number; totalHeap: number; external: number }>();
    if (existsSync(this.workerHeapFile)) {
      for (const line of readFileSync(this.workerHeapFile, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        const r = JSON.parse(line) as {
          script: string;
          usedHeap: number;
          totalHeap: number;
          external: number;
        };
        latest.set(r.script, r);
      }
    }
    const total = { usedMb: 0, totalMb: 0, externalMb: 0 };
    for (const r of latest.values()) {
      total.usedMb += r.usedHeap / 2 ** 20;
      total.totalMb += r.totalHeap / 2 ** 20;
      total.externalMb += r.external / 2 ** 20;
    }
    return latest.size === 0
      ? { usedMb: Number.NaN, totalMb: Number.NaN, externalMb: Number.NaN }
      : total;
  }

  /** Stop it the way an operator does (SIGTERM), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise((r) => this.process.once('exit', r));
    this.process.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    this.kill();
  }

  kill(): void {
    if (this.process.exitCode === null) this.process.kill('SIGKILL');
  }
}
