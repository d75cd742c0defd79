/**
 * A/B of the per-packet prompt send path (PlayerPort.readEncoded → RtpSession.sendEncoded
 * → node:dgram) between this tree and another copy of packages/media (e.g. an older
 * commit: `git archive <rev> packages/media | tar -x -C /tmp/old`; its imports must
 * resolve, e.g. by symlinking node_modules). N sessions send 20 ms PCMU in bursts of N to
 * a UDP socket that never reads (a python3 child), so the receiver costs nothing and the
 * figure is the sender's: process CPU per packet, runs interleaved A, B, A, B…
 *
 *   node bench/media/send-path-ab.ts --base /tmp/old/packages/media/src/index.ts \
 *     --streams 1000 --runs 5
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import * as current from '@uketsuke/media';
import { arg, load1, machine, median } from './lib/bench-util.ts';

const basePath = arg('base', '');
const n = Number(arg('streams', '1000'));
const runs = Number(arg('runs', '5'));
if (basePath === '') throw new Error('--base <path to another packages/media/src/index.ts>');

const sink = spawn(
  'python3',
  [
    '-c',
    "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('127.0.0.1',0))\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)",
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise<number>((done) =>
  sink.stdout.once('data', (d: Buffer) => done(Number(String(d).trim()))),
);
const base = (await import(resolve(basePath))) as typeof current;
const impls = { base, current } as const;
const audio = { law: 'PCMU' as const, data: new Uint8Array(64_000).map((_, i) => (i * 7) & 0xff) };
const results: Record<string, number[]> = { base: [], current: [] };
console.log(`# send-path-ab ${new Date().toISOString()} ${machine()}`);
try {
  for (let run = 1; run <= runs; run++) {
    for (const name of ['base', 'current'] as const) {
      const m = impls[name];
      const sessions: current.RtpSession[] = [];
      const players: current.PlayerPort[] = [];
      for (let i = 0; i < n; i++) {
        sessions.push(
          await m.RtpSession.open({
            localAddress: '127.0.0.1',
            remoteAddress: '127.0.0.1',
            remotePort: port,
            codec: 'PCMU',
            rtcpMux: true,
          }),
        );
        const p = new m.PlayerPort();
        p.play({ audio, loop: true });
        players.push(p);
      }
      const frame = new Uint8Array(160);
      const tick = () => {
        for (let i = 0; i < n; i++) {
          players[i]!.readEncoded(frame, 'PCMU');
          sessions[i]!.sendEncoded(frame);
        }
      };
      for (let t = 0; t < 20; t++) {
        tick();
        await new Promise((r) => setTimeout(r, 2));
      }
      const load = load1();
      const cpu0 = process.cpuUsage();
      for (let t = 0; t < 100; t++) {
        tick();
        await new Promise((r) => setTimeout(r, 1)); // deferred work (callbacks) counted too
      }
      const d = process.cpuUsage(cpu0);
      const us = (d.user + d.system) / (100 * n);
      results[name]!.push(us);
      console.log(`run ${run} ${name.padEnd(7)} load ${load}  ${us.toFixed(2)} µs CPU/packet`);
      for (const s of sessions) s.close();
    }
  }
} finally {
  sink.kill();
}
const b = median(results.base!);
const c = median(results.current!);
console.log(
  `\nmedian of ${runs}: base ${b.toFixed(2)} µs, current ${c.toFixed(2)} µs per packet (current ÷ base ${(c / b).toFixed(2)})`,
);
