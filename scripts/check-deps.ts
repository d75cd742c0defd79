/**
 * Enforces the layering in docs/ARCHITECTURE.md: protocol packages at the bottom,
 * the product on top, the browser app talking only to the published API contract.
 *
 * For every TypeScript file in a package it reads the import specifiers and fails when
 *   - a workspace package is imported that the layer may not use, or
 *   - a relative import climbs out of the package (reaching into another's internals).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/** package folder → workspace packages it may import ("*" = any). */
const allowed: Record<string, readonly string[] | '*'> = {
  'packages/sip': [],
  'packages/media': [],
  'packages/server': ['@uketsuke/sip', '@uketsuke/media'],
  'packages/web': [],
  e2e: '*',
  bench: '*',
};

const importRe =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function* sourceFiles(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|tsx|mts)$/.test(name)) yield path;
  }
}

const problems: string[] = [];
for (const [pkg, rule] of Object.entries(allowed)) {
  const pkgDir = join(root, pkg);
  for (const file of sourceFiles(pkgDir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec) continue;
      const where = relative(root, file);
      if (spec.startsWith('@uketsuke/')) {
        const name = spec.split('/').slice(0, 2).join('/');
        if (rule !== '*' && !rule.includes(name)) {
          problems.push(`${where}: ${pkg} may not import ${name}`);
        }
      } else if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(`${pkgDir}/`) && target !== pkgDir) {
          problems.push(`${where}: relative import '${spec}' leaves ${pkg}`);
        }
      }
    }
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`check-deps: ${problems.length} layering violation(s)`);
  process.exit(1);
}
console.log('check-deps: layering ok');
