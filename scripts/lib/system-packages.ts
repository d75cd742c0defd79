/** Reads scripts/system-packages.txt and installs what is missing (root only). */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SystemPackage {
  name: string;
  /** A path whose existence shows the package is installed. */
  probe: string;
}

export function listSystemPackages(root: string): SystemPackage[] {
  return readFileSync(join(root, 'scripts/system-packages.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [name, probe] = l.split(/\s+/);
      return { name: name!, probe: probe! };
    });
}

/** Returns the packages still missing after trying to install them. */
export function ensureSystemPackages(root: string, log: (line: string) => void): SystemPackage[] {
  const missing = listSystemPackages(root).filter((p) => !existsSync(p.probe));
  if (missing.length === 0) return [];
  const names = missing.map((p) => p.name);
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || process.env.UKETSUKE_NO_APT === '1') {
    log(`missing Debian packages: ${names.join(' ')}`);
    log(`install them with: sudo apt-get install -y ${names.join(' ')}`);
    return missing;
  }
  log(`installing Debian packages: ${names.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...names], {
      stdio: 'inherit',
      env,
    });
  } catch (err) {
    log(`apt-get failed: ${(err as Error).message}`);
  }
  return missing.filter((p) => !existsSync(p.probe));
}
