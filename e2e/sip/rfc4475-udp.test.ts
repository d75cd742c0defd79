/**
 * RFC 4475 over UDP against a running stack: a network namespace with only loopback is
 * created, rfc4475-stack.ts runs in it, rfc4475-sender.ts sends every vector from inside
 * the same namespace and reports what came back, and each vector must get the outcome in
 * support/rfc4475-outcomes.ts. The vectors name 192.0.2.x, 135.180.130.133 and
 * 255.255.255.255: inside the namespace there is no route anywhere but 127.0.0.0/8.
 * Skipped unless root with `ip` available and the vectors present.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RFC4475_UDP_OUTCOMES } from './support/rfc4475-outcomes.ts';

const IP = '/usr/sbin/ip';
const NODE = process.execPath;
const VECTORS =
  process.env.UKETSUKE_RFC4475_DIR ??
  resolve(import.meta.dirname, '../../../shared/testdata/rfc4475');
const STACK_PORT = 5999;

const skip =
  process.getuid?.() !== 0
    ? 'needs root to create a network namespace'
    : !existsSync(IP)
      ? `${IP} (iproute2) missing`
      : !existsSync(VECTORS)
        ? `RFC 4475 vectors not found at ${VECTORS}`
        : undefined;

const ns = `uk4475-${process.pid}`;

function inNs(args: string[]): string[] {
  return ['netns', 'exec', ns, ...args];
}

describe('RFC 4475 vectors over UDP in a loopback-only namespace', {
  timeout: 120_000,
}, () => {
  let stack: ChildProcess | undefined;
  let report: { results: Record<string, number[]>; strays: string[] } | undefined;

  before(async () => {
    if (skip !== undefined) return;
    execFileSync(IP, ['netns', 'add', ns]);
    execFileSync(IP, inNs([IP, 'link', 'set', 'lo', 'up']));
    // Nothing but loopback: no other link, no default route.
    const links = execFileSync(IP, inNs([IP, '-o', 'link']))
      .toString()
      .trim()
      .split('\n');
    assert.equal(links.length, 1, links.join('\n'));
    const proc = spawn(
      IP,
      inNs([NODE, resolve(import.meta.dirname, 'support/rfc4475-stack.ts'), String(STACK_PORT)]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    stack = proc;
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error('stack did not start')), 15_000);
      let out = '';
      proc.stdout?.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('ready')) {
          clearTimeout(timer);
          res();
        }
      });
      proc.stderr?.on('data', (d: Buffer) => {
        out += d;
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        rej(new Error(`stack exited ${code}: ${out}`));
      });
    });
    const sender = execFileSync(
      IP,
      inNs([
        NODE,
        resolve(import.meta.dirname, 'support/rfc4475-sender.ts'),
        VECTORS,
        String(STACK_PORT),
      ]),
      { timeout: 60_000 },
    );
    report = JSON.parse(sender.toString());
  });

  after(() => {
    if (stack !== undefined && stack.exitCode === null) stack.kill('SIGKILL');
    try {
      execFileSync(IP, ['netns', 'delete', ns]);
    } catch {
      // Not created (before failed early).
    }
  });

  test('every vector was sent and nothing unexpected came back', { skip }, () => {
    assert.ok(report);
    assert.deepEqual(Object.keys(report.results).sort(), Object.keys(RFC4475_UDP_OUTCOMES).sort());
    assert.deepEqual(report.strays, []);
  });

  for (const [name, expected] of Object.entries(RFC4475_UDP_OUTCOMES)) {
    test(`${name} → ${expected ?? 'no response'}`, { skip }, () => {
      assert.ok(report);
      const statuses = report.results[name] ?? [];
      const finals = statuses.filter((s) => s >= 200);
      if (expected === null) assert.deepEqual(statuses, []);
      else assert.deepEqual(finals, [expected], `got ${statuses.join(', ')}`);
    });
  }
});
