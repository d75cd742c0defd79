/**
 * A UDP port that never reads, with the port above it held too (RTP, RTCP): where prompt
 * streams go in benchmarks that measure the sender only. A separate Python process, so
 * the sink costs the measured process nothing; holding port + 1 keeps the streams' RTCP
 * from landing on one of the engine's own sockets.
 */
import { spawn } from 'node:child_process';

const SINK_SCRIPT = [
  'import socket,time',
  'while True:',
  ' s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); p=s.getsockname()[1]',
  ' r=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)',
  ' try:',
  '  r.bind(("127.0.0.1",p+1)); break',
  ' except OSError:',
  '  s.close(); r.close()',
  'print(p,flush=True)',
  'time.sleep(3600)',
].join('\n');

export async function startUdpSink(): Promise<{ port: number; stop(): void }> {
  const sink = spawn('python3', ['-c', SINK_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((done) =>
    sink.stdout.once('data', (d: Buffer) => done(Number(String(d).trim()))),
  );
  return { port, stop: () => sink.kill() };
}
