/**
 * A throwaway PostgreSQL cluster for the test run: initdb in a temporary folder, listening
 * only on 127.0.0.1 at a free port, trust auth, removed when the run ends.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

function findPgBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin/initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startTestPostgres(
  log: (line: string) => void,
): Promise<TestPostgres | undefined> {
  const bin = findPgBin();
  if (!bin) return undefined;
  const isRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root; run it as the 'postgres' user the package creates.
  const asUser = (cmd: string, args: string[]): [string, string[]] =>
    isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];

  const dir = mkdtempSync(join(tmpdir(), 'uketsuke-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const [c1, a1] = asUser(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  execFileSync(c1, a1, { stdio: 'ignore' });
  const port = await freePort();
  const [c2, a2] = asUser(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
  ]);
  const proc: ChildProcess = spawn(c2, a2, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [c3, a3] = asUser(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      execFileSync(c3, a3, { stdio: 'ignore' });
      break;
    } catch {
      if (Date.now() > deadline || proc.exitCode !== null) {
        proc.kill('SIGKILL');
        log(`PostgreSQL did not start: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
        rmSync(dir, { recursive: true, force: true });
        return undefined;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  log(`PostgreSQL ${bin.split('/').at(-2)} on 127.0.0.1:${port}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        // As root, `proc` is runuser, which does not pass signals on: ask the server itself.
        const [c4, a4] = asUser(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']);
        try {
          execFileSync(c4, a4, { stdio: 'ignore', timeout: 15_000 });
        } catch {
          proc.kill('SIGINT'); // fast shutdown, when pg_ctl could not do it
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
