/** Small helpers shared by the media benchmark drivers. */
import { type ChildProcess, fork } from 'node:child_process';
import { cpus, hostname, loadavg } from 'node:os';

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function machine(): string {
  const c = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${hostname()}: ${c.length} × ${c[0]?.model ?? '?'}, Node ${process.version}, load average ${load}`;
}

/** The 1-minute load average, to show when other work shared the machine. */
export function load1(): string {
  return loadavg()[0]!.toFixed(2);
}

/** Fork a load child with a role; messages are awaited with {@link next}. */
export function child(role: string, n: number): ChildProcess {
  return fork(new URL('./load-child.ts', import.meta.url), [role, String(n)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The next IPC message of `type` from a child, or a rejection after `timeoutMs`. */
export function next<T>(c: ChildProcess, type: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off('message', on);
      reject(new Error(`timeout waiting for ${type}`));
    }, timeoutMs);
    const on = (m: { type: string }) => {
      if (m.type !== type) return;
      clearTimeout(timer);
      c.off('message', on);
      resolve(m as T);
    };
    c.on('message', on);
  });
}
