/**
 * What the soak benchmark reads about a process from procfs (Linux), and the small
 * statistics it reports: percentiles and a least-squares slope.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime in seconds (proc(5): /proc/<pid>/stat fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (the command) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** VmRSS and VmHWM (peak RSS) in MiB, threads, from /proc/<pid>/status. */
export function memory(pid: number): { rssMb: number; hwmMb: number; threads: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, threads };
}

/** Open file descriptors (sockets, files): a leak of RTP sockets shows here first. */
export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

export function loadAverage(): [number, number, number] {
  const [a, b, c] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [a ?? Number.NaN, b ?? Number.NaN, c ?? Number.NaN];
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

/** Ordinary least-squares slope of y over x (NaN with fewer than two points). */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** Prometheus text exposition: the value of each unlabelled sample we ask for. */
export function promValues(text: string, names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [name, value] = line.split(' ');
    if (name !== undefined && names.includes(name)) out[name] = Number(value);
  }
  return out;
}

/**
 * UDP sockets bound to these local ports (/proc/net/udp, IPv4): bytes queued and packets
 * the kernel dropped because nobody read them. SIPp does not read its media port when it
 * does not echo, so drops + queued count the RTP that reached the caller.
 */
export function udpPortCounters(ports: number[]): {
  sockets: number;
  queuedBytes: number;
  drops: number;
} {
  const wanted = new Set(ports.map((p) => p.toString(16).toUpperCase().padStart(4, '0')));
  const out = { sockets: 0, queuedBytes: 0, drops: 0 };
  // The file is read a page at a time while sockets come and go, so a line can appear
  // twice in one read: count each socket (inode, field 10) once.
  const seen = new Set<string>();
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const port = f[1]?.split(':')[1];
    if (port === undefined || !wanted.has(port)) continue;
    const inode = f[9] ?? '';
    if (seen.has(inode)) continue;
    seen.add(inode);
    out.sockets++;
    out.queuedBytes += Number.parseInt(f[4]?.split(':')[1] ?? '0', 16);
    out.drops += Number(f.at(-1));
  }
  return out;
}
