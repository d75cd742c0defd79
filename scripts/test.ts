/**
 * `npm test`: the one command that runs every suite.
 *
 * 1. static checks (biome, tsc, layering),
 * 2. Debian packages the suites use (installed when run as root, else named and skipped),
 *    and the media workers' native addon (scripts/build-native.ts),
 * 3. a throwaway PostgreSQL so the repository suite runs on SQLite *and* PostgreSQL,
 * 4. node's test runner over packages/*\/test and e2e.
 *
 * Suites whose peer is missing report themselves skipped, never passed.
 * Pass file globs to run a subset: `npm test -- packages/sip/test/parser.test.ts`.
 * UKETSUKE_SKIP_CHECKS=1 skips step 1 (handy while iterating).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ensureSystemPackages } from './lib/system-packages.ts';
import { startTestPostgres } from './lib/postgres.ts';

const root = resolve(import.meta.dirname, '..');
const log = (line: string) => console.log(`[test] ${line}`);
const args = process.argv.slice(2);

function run(cmd: string, cmdArgs: string[], env: NodeJS.ProcessEnv = process.env): number {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, env });
  return r.status ?? 1;
}

if (process.env.UKETSUKE_SKIP_CHECKS !== '1' && args.length === 0) {
  log('static checks: biome, tsc, layering');
  for (const script of ['lint', 'typecheck', 'check:deps']) {
    if (run('npm', ['run', '--silent', script]) !== 0) {
      log(`npm run ${script} failed`);
      process.exit(1);
    }
  }
}

ensureSystemPackages(root, log);

// The media workers' batch-send addon, built from the current source (it is also built by
// `npm ci`'s postinstall). As root — CI — a failed build fails the run instead of letting
// the media suites fall back to node:dgram and skip the addon's tests.
const strictNative = process.getuid?.() === 0 ? ['--strict'] : [];
if (run(process.execPath, ['scripts/build-native.ts', ...strictNative]) !== 0) {
  log('building the native addon failed');
  process.exit(1);
}

const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
let pg: Awaited<ReturnType<typeof startTestPostgres>>;
if (!env.UKETSUKE_TEST_PG_URL) {
  pg = await startTestPostgres(log);
  if (pg) env.UKETSUKE_TEST_PG_URL = pg.url;
  else log('PostgreSQL not available: PostgreSQL suites will report skipped');
}

const globs = args.length > 0 ? args : ['packages/*/test/**/*.test.ts', 'e2e/**/*.test.ts'];
const concurrency = process.env.UKETSUKE_TEST_CONCURRENCY ?? '2';
let status: number;
try {
  status = run(
    process.execPath,
    ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...globs],
    env,
  );
} finally {
  await pg?.stop();
}
process.exit(status);
