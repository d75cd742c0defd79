/**
 * Crash test (issue 6): the server is killed with SIGKILL while 1,000 reports are being
 * delivered to an SMTP server that refuses 30 % of sessions. After a restart every report
 * reaches its recipient; duplicates (sent, then killed before the outcome was written) are
 * recognisable by their unchanged Message-ID. None lost, none stuck.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { SmtpSinkProcess } from '@uketsuke/server/test-support/smtp-sink-process.ts';

const root = resolve(import.meta.dirname, '../..');
const total = 1000;

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function startServer(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(root, 'packages/server/src/main.ts')], {
    cwd: root,
    env: { ...process.env, UKETSUKE_LOG_LEVEL: 'error', UKETSUKE_HTTP_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {}
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let sink: SmtpSinkProcess | undefined;
let proc: ChildProcess | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'uketsuke-crash-'));
after(async () => {
  proc?.kill('SIGKILL');
  await sink?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test(`kill -9 while delivering ${total} reports through a flaky SMTP server: after restart each arrives, none lost`, {
  timeout: 240_000,
}, async () => {
  sink = await SmtpSinkProcess.start({ failRate: 0.3, seed: 7 });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    UKETSUKE_DATA_DIR: dataDir,
    UKETSUKE_HTTP_PORT: String(port),
    UKETSUKE_SIP_PORT: String(await freePort()),
    UKETSUKE_SMTP_URL: sink.url,
    UKETSUKE_REPORT_RETRY_SECONDS: '1',
    UKETSUKE_ADMIN_EMAIL: 'admin@crash.example',
    UKETSUKE_ADMIN_PASSWORD: 'crash-admin-pass',
  };
  proc = startServer(env);
  await until(
    'healthz',
    async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined),
    20_000,
  );
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@crash.example', password: 'crash-admin-pass' }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const tenant = await api('POST', '/tenants', {
    name: 'クラッシュ試験株式会社',
    nameKana: 'クラッシュ',
    reportChannel: { kind: 'email', mode: 'named' },
  });
  await api('POST', `/tenants/${tenant.id}/staff`, { name: '責任者', email: 'boss@crash.example' });

  // Save the messages; the worker starts sending as they arrive.
  for (let i = 0; i < total; i++)
    await api('POST', `/tenants/${tenant.id}/messages`, {
      purpose: `伝言 #${i}`,
      callerName: `発信者${i}`,
    });
  // Kill it mid-delivery: some delivered, many not.
  await until(
    'some deliveries',
    async () => (sink!.files().length >= 50 ? true : undefined),
    60_000,
  );
  proc.kill('SIGKILL');
  await new Promise((r) => proc!.once('exit', r));
  const atKill = sink.files().length;
  assert.ok(
    atKill < total,
    `all ${total} were delivered before the kill (${atKill}); the test proves nothing`,
  );

  proc = startServer(env);
  await until(
    'healthz after restart',
    async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined),
    20_000,
  );
  const reports = await until(
    'every report sent',
    async () => {
      const all: { status: string; deliveries: { messageId: string; attempts: number }[] }[] = [];
      let before: string | undefined;
      for (;;) {
        const page = await api(
          'GET',
          `/tenants/${tenant.id}/reports?limit=500${before ? `&before=${before}` : ''}`,
        );
        all.push(...page);
        if (page.length < 500) break;
        before = page.at(-1).id;
      }
      return all.length === total && all.every((r) => r.status === 'sent') ? all : undefined;
    },
    180_000,
  );

  // What the SMTP server received, by Message-ID.
  const received = new Map<string, number>();
  for (const f of sink.files()) {
    const raw = readFileSync(join(sink.dir, f), 'utf8');
    const id = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1];
    assert.ok(id, `${f} has no Message-ID`);
    assert.match(raw, /^To: boss@crash\.example$/m);
    received.set(id, (received.get(id) ?? 0) + 1);
  }
  const expected = new Set(
    reports.flatMap((r) => r.deliveries.map((d) => `${(d as unknown as { id: string }).id}`)),
  );
  assert.equal(expected.size, total);
  const receivedIds = [...received.keys()].map((m) => m.slice(1).split('.report@')[0]!);
  assert.deepEqual(new Set(receivedIds), expected, 'every report arrived, and nothing else');
  const duplicates = [...received.values()].filter((n) => n > 1).length;
  const retried = reports.filter((r) => r.deliveries[0]!.attempts > 1).length;
  console.log(
    `# crash test: ${total} reports, ${atKill} delivered before SIGKILL, ${retried} needed retries, ${duplicates} duplicate deliveries (same Message-ID)`,
  );
  assert.ok(retried > 0, 'the 30 % failing SMTP sessions caused retries');
});
