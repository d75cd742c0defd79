/**
 * Call-report latency: from saving a message (POST /messages) to the SMTP server's 250 OK,
 * at a fixed rate (default 50 messages/s for 20 s), against `main.ts` on SQLite and a real
 * SMTP server process on loopback. Prints p50/p90/p99/max and, with --write, records the
 * median of the runs in docs/BENCHMARKS.md ("## Call reports").
 *
 *   node bench/reports/report-latency.ts [--rate 50] [--seconds 20] [--runs 3] [--write]
 *
 * Bounded: each run sends rate × seconds messages and waits at most 60 s for delivery.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SmtpSinkProcess } from '@uketsuke/server/test-support/smtp-sink-process.ts';

const root = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    write: { type: 'boolean', default: false },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const runs = Number(args.runs);

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function run(): Promise<{ p50: number; p90: number; p99: number; max: number; n: number }> {
  const sink = await SmtpSinkProcess.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'uketsuke-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(process.execPath, [join(root, 'packages/server/src/main.ts')], {
    env: {
      ...process.env,
      UKETSUKE_DATA_DIR: dataDir,
      UKETSUKE_HTTP_PORT: String(port),
      UKETSUKE_SIP_PORT: String(await freePort()),
      UKETSUKE_HTTP_HOST: '127.0.0.1',
      UKETSUKE_SMTP_URL: sink.url,
      UKETSUKE_LOG_LEVEL: 'error',
      UKETSUKE_ADMIN_EMAIL: 'bench@example.com',
      UKETSUKE_ADMIN_PASSWORD: 'bench-admin-pass',
    },
    stdio: 'ignore',
  });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {}
      if (i > 200) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'bench-admin-pass' }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
    const headers = { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) =>
      (
        await fetch(`${url}/api/v1${path}`, { method: 'POST', headers, body: JSON.stringify(body) })
      ).json() as Promise<{ id: string; reportId: string }>;
    const tenant = await post('/tenants', {
      name: 'ベンチ株式会社',
      nameKana: 'ベンチ',
      reportChannel: { kind: 'email', mode: 'named' },
    });
    await post(`/tenants/${tenant.id}/staff`, { name: '責任者', email: 'boss@bench.example' });

    const total = rate * seconds;
    const savedAt = new Map<string, number>();
    const t0 = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      // Open loop: the i-th message starts at i/rate seconds, whatever the server does.
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const started = Date.now();
      pending.push(
        post(`/tenants/${tenant.id}/messages`, {
          purpose: `bench ${i}`,
          callerName: '発信者',
        }).then((m) => void savedAt.set(m.reportId, started)),
      );
    }
    await Promise.all(pending);
    // Map report → Message-ID, then wait until every message has arrived.
    const deliveryOf = new Map<string, string>();
    for (let before: string | undefined; ; ) {
      const page = (await (
        await fetch(
          `${url}/api/v1/tenants/${tenant.id}/reports?limit=500${before ? `&before=${before}` : ''}`,
          { headers },
        )
      ).json()) as { id: string; deliveries: { id: string }[] }[];
      for (const r of page) deliveryOf.set(`<${r.deliveries[0]!.id}.report@localhost>`, r.id);
      if (page.length < 500) break;
      before = page.at(-1)!.id;
    }
    const deadline = Date.now() + 60_000;
    let lines: string[] = [];
    while (Date.now() < deadline) {
      try {
        lines = readFileSync(join(sink.dir, 'received.log'), 'utf8').trim().split('\n');
      } catch {}
      if (lines.length >= total) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const latencies: number[] = [];
    for (const line of lines) {
      const [at, id] = line.split(' ');
      const report = deliveryOf.get(id!);
      const saved = report ? savedAt.get(report) : undefined;
      if (saved !== undefined) latencies.push(Number(at) - saved);
    }
    if (latencies.length !== total)
      throw new Error(`only ${latencies.length}/${total} messages arrived`);
    latencies.sort((a, b) => a - b);
    return {
      p50: pct(latencies, 50),
      p90: pct(latencies, 90),
      p99: pct(latencies, 99),
      max: latencies.at(-1)!,
      n: total,
    };
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    await sink.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Awaited<ReturnType<typeof run>>[] = [];
for (let i = 0; i < runs; i++) {
  const r = await run();
  console.log(
    `run ${i + 1}: n=${r.n} p50=${r.p50} ms p90=${r.p90} ms p99=${r.p99} ms max=${r.max} ms`,
  );
  results.push(r);
}
const median = (k: 'p50' | 'p90' | 'p99' | 'max') =>
  [...results.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
const summary = { p50: median('p50'), p90: median('p90'), p99: median('p99'), max: median('max') };
console.log(
  `median of ${runs} runs: p50=${summary.p50} ms p90=${summary.p90} ms p99=${summary.p99} ms max=${summary.max} ms`,
);

if (args.write) {
  const file = join(root, 'docs/BENCHMARKS.md');
  let doc = '';
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    doc =
      "# Benchmarks\n\nMeasured on this project's machines (2 cores). Medians of repeated runs; reproduce with the command given.\n";
  }
  const section = [
    '## Call reports',
    '',
    `Save a message (\`POST /messages\`) → SMTP server's 250 OK, open-loop at ${rate} messages/s for ${seconds} s (${rate * seconds} messages per run), server on SQLite, real SMTP server process on loopback, ${cpus().length} cores. Median of ${runs} runs, measured ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| p50 | p90 | p99 | max | target |',
    '|---|---|---|---|---|',
    `| ${summary.p50} ms | ${summary.p90} ms | ${summary.p99} ms | ${summary.max} ms | p99 < 500 ms |`,
    '',
    'The tail is the SMTP connection pool warming up: the test SMTP server (`smtp-server`) waits 100 ms before each greeting, and the sender opens up to 4 pooled connections.',
    '',
    'Per run: ' +
      results.map((r, i) => `#${i + 1} p50 ${r.p50} / p99 ${r.p99} ms`).join('; ') +
      '.',
    '',
    `Reproduce: \`node_modules/.bin/node bench/reports/report-latency.ts --rate ${rate} --seconds ${seconds} --runs ${runs} --write\``,
    '',
  ].join('\n');
  const re = /## Call reports\n[\s\S]*?(?=\n## |$)/;
  doc = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}`;
  writeFileSync(file, doc);
  console.log(`wrote ${file}`);
}
