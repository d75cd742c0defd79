/**
 * Build the optional native addons (today: packages/media/native/udp-batch.c, batch UDP
 * sends for the media workers) with the system C compiler into
 * packages/media/native/build/. No node-gyp and no Node headers: the addon declares the
 * few Node-API functions it uses (native/napi-decls.h), so a C compiler is all it needs.
 *
 *   node scripts/build-native.ts [--strict]
 *
 * Without a compiler (or if compiling fails) it prints why and exits 0: the media package
 * falls back to node:dgram. With --strict it exits 1 instead (CI that must have the addon).
 * CC overrides the compiler (default: cc).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const nativeDir = join(root, 'packages/media/native');
const outDir = join(nativeDir, 'build');

const ADDONS = [{ source: 'udp-batch.c', output: 'udp-batch.node' }];

function fail(message: string): never {
  console.error(`build-native: ${message}`);
  if (strict) process.exit(1);
  console.error('build-native: continuing without the addon (media falls back to node:dgram)');
  process.exit(0);
}

if (process.platform !== 'linux') fail(`not built on ${process.platform} (Linux only)`);
const cc = process.env.CC ?? 'cc';
mkdirSync(outDir, { recursive: true });
for (const addon of ADDONS) {
  const target = join(outDir, addon.output);
  const temp = `${target}.${process.pid}.tmp`;
  const args = [
    '-O2',
    '-std=gnu11',
    '-fPIC',
    '-shared',
    '-fvisibility=hidden',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-o',
    temp,
    join(nativeDir, addon.source),
  ];
  const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) fail(`${cc}: ${r.error.message} (install gcc to build ${addon.output})`);
  if (r.status !== 0) fail(`${cc} ${args.join(' ')} exited with ${r.status}`);
  // Rename into place: a worker loading the addon never sees a half-written file.
  renameSync(temp, target);
  console.log(`build-native: built ${target}`);
}
