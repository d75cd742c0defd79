/**
 * rtpengine (Debian `rtpengine-daemon`, 10.5) as a comparison relay: userspace only
 * (`--table=-1`, no kernel forwarding), one packet thread, driven over its ng control
 * protocol (cookie + bencoded dictionary over UDP).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { type BValue, bdecode, bencode } from './bencode.ts';

export class RtpEngine {
  private readonly process: ChildProcess;
  private readonly socket: Socket;
  private readonly ngPort: number;
  private readonly waiting = new Map<string, (reply: Record<string, BValue>) => void>();
  private cookie = 0;

  private constructor(process: ChildProcess, socket: Socket, ngPort: number) {
    this.process = process;
    this.socket = socket;
    this.ngPort = ngPort;
    socket.on('message', (m) => {
      const space = m.indexOf(0x20);
      const cookie = m.subarray(0, space).toString();
      const reply = bdecode(m.subarray(space + 1)) as Record<string, BValue>;
      this.waiting.get(cookie)?.(reply);
      this.waiting.delete(cookie);
    });
  }

  static async start(ngPort = 22299, threads = 1): Promise<RtpEngine> {
    const child = spawn(
      'rtpengine',
      [
        '--config-file=none',
        '--foreground',
        '--log-stderr',
        '--log-level=3',
        '--table=-1',
        '--interface=127.0.0.1',
        `--listen-ng=127.0.0.1:${ngPort}`,
        '--port-min=30000',
        '--port-max=39999',
        `--num-threads=${threads}`,
        '--media-num-threads=1',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const engine = new RtpEngine(child, socket, ngPort);
    for (let i = 0; i < 50; i++) {
      try {
        await engine.request({ command: 'ping' }, 200);
        return engine;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    engine.stop();
    throw new Error('rtpengine did not answer ping');
  }

  request(dict: Record<string, BValue>, timeoutMs = 5000): Promise<Record<string, BValue>> {
    const cookie = `c${++this.cookie}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(cookie);
        reject(new Error(`rtpengine: no reply to ${String(dict.command)}`));
      }, timeoutMs);
      this.waiting.set(cookie, (reply) => {
        clearTimeout(timer);
        if (reply.result === 'error')
          reject(new Error(`rtpengine: ${String(reply['error-reason'])}`));
        else resolve(reply);
      });
      this.socket.send(
        Buffer.concat([Buffer.from(`${cookie} `), bencode(dict)]),
        this.ngPort,
        '127.0.0.1',
      );
    });
  }

  /** CPU time of the daemon (all threads), ms. */
  cpuMs(): number {
    const stat = readFileSync(`/proc/${this.process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11], fields[12] = utime, stime (clock ticks; 100 Hz on Linux)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  }

  stop(): void {
    this.socket.close();
    this.process.kill();
  }
}
