/**
 * Child process for the media benchmarks (forked by relay-bench.ts / prompt-bench.ts), so
 * load generation and the system under test run on different cores. Roles:
 *
 *   phones N      2N "phones" (A_i, B_i): each sends 50 packets/s of 172-byte PCMU RTP to
 *                 its destination, spread over 4 phases of 5 ms, and counts the marked
 *                 packets it gets back (a bridged call = A_i ↔ relay ↔ B_i).
 *   raw-relay N   the baseline: 2 sockets per call, forwarding with plain node:dgram.
 *   receiver N    one socket that timestamps every RTP packet (prompt streams), and one
 *                 on the port above it that drops the streams' RTCP.
 *   raw-sender N  the prompt-stream baseline: N sockets, each sending 20 ms PCMU from a
 *                 preallocated packet with plain node:dgram, from one 5 ms timer (a
 *                 quarter of the streams per phase, like the engine), measuring its
 *                 own send jitter the same way (SendJitter).
 *   raw-batch N   the same sender, but each phase's packets go out in one native call
 *                 (UdpBatch, packages/media/native/udp-batch.c): the floor for the
 *                 engine's native-batch path.
 *
 * Talks to its parent over the fork IPC channel.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { SendJitter, UdpBatch } from '@uketsuke/media';

const role = process.argv[2];
const n = Number(process.argv[3]);
const send = (m: unknown) => process.send?.(m);

function bind(): Promise<Socket> {
  const s = createSocket('udp4');
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve(s)));
}

// Never outlive the driver (killed, crashed): the IPC channel closing ends the child.
process.on('disconnect', () => process.exit(0));

const MAGIC = 0x5a;

async function phones(): Promise<void> {
  const sockets: Socket[] = [];
  for (let i = 0; i < 2 * n; i++) sockets.push(await bind());
  const received = new Uint32Array(2 * n);
  let counting = false;
  sockets.forEach((s, i) => {
    s.on('message', (m) => {
      if (counting && m.length === 172 && m[12] === MAGIC) received[i]!++;
    });
  });
  send({ type: 'ports', ports: sockets.map((s) => s.address().port) });
  const destinations: number[] = await new Promise((resolve) =>
    process.once('message', (m: { destinations: number[] }) => resolve(m.destinations)),
  );
  const runMs: number = await new Promise((resolve) =>
    process.once('message', (m: { runMs: number }) => resolve(m.runMs)),
  );
  // Two buffers per phone, alternated: a buffer is never rewritten while queued.
  const buffers = sockets.map(() => [Buffer.alloc(172), Buffer.alloc(172)] as const);
  buffers.forEach((pair, i) => {
    for (const b of pair) {
      b[0] = 0x80;
      b[1] = 0; // PT 0 PCMU
      b.writeUInt32BE(0x1000 + i, 8);
      b.fill(0xff, 12);
      b[12] = MAGIC;
    }
  });
  let sent = 0;
  counting = true;
  const start = performance.now();
  let phase = 0;
  let late = 0;
  await new Promise<void>((resolve) => {
    const step = () => {
      const now = performance.now();
      if (now - start >= runMs) return resolve();
      const group = phase % 4;
      const round = Math.floor(phase / 4);
      for (let i = group; i < sockets.length; i += 4) {
        const b = buffers[i]![round & 1]!;
        b.writeUInt16BE(round & 0xffff, 2);
        b.writeUInt32BE((round * 160) >>> 0, 4);
        sockets[i]!.send(b, destinations[i]!, '127.0.0.1');
        sent++;
      }
      phase++;
      const next = start + phase * 5;
      const delay = next - performance.now();
      if (delay < -20) late++;
      setTimeout(step, Math.max(0, delay));
    };
    step();
  });
  await new Promise((r) => setTimeout(r, 500)); // drain
  counting = false;
  let got = 0;
  for (const r of received) got += r;
  for (const s of sockets) s.close();
  process.send?.({ type: 'result', sent, received: got, lateSteps: late }, () => process.exit(0));
}

async function rawRelay(): Promise<void> {
  const phonePorts: number[] = await new Promise((resolve) =>
    process.once('message', (m: { phonePorts: number[] }) => resolve(m.phonePorts)),
  );
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const a = await bind();
    const b = await bind();
    const pa = phonePorts[2 * i]!;
    const pb = phonePorts[2 * i + 1]!;
    a.on('message', (m) => b.send(m, pb, '127.0.0.1'));
    b.on('message', (m) => a.send(m, pa, '127.0.0.1'));
    sockets.push(a, b);
  }
  send({ type: 'relayPorts', ports: sockets.map((s) => s.address().port) });
  let cpu = process.cpuUsage();
  let wall = performance.now();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'cpu-start') {
      cpu = process.cpuUsage();
      wall = performance.now();
    } else if (m.type === 'cpu-stop') {
      const d = process.cpuUsage(cpu);
      send({ type: 'cpu', cpuMs: (d.user + d.system) / 1000, wallMs: performance.now() - wall });
    } else if (m.type === 'exit') {
      for (const s of sockets) s.close();
      process.exit(0);
    }
  });
}

/**
 * An even/odd-style pair: RTP on a free port and a socket on the port above it, where
 * senders without rtcp-mux send RTCP (RFC 3550 §11) — else their reports could land on
 * whatever else holds that port (one of the engine's own sockets, in a prompt bench).
 */
async function bindPair(): Promise<[Socket, Socket]> {
  for (;;) {
    const rtp = await bind();
    const rtcp = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      rtcp.once('error', () => resolve(false));
      rtcp.bind(rtp.address().port + 1, '127.0.0.1', () => resolve(true));
    });
    if (ok) return [rtp, rtcp];
    rtp.close();
    rtcp.close();
  }
}

async function receiver(): Promise<void> {
  const [s, rtcp] = await bindPair();
  rtcp.on('message', () => {}); // RTCP reports: read and dropped
  s.setRecvBufferSize?.(4 * 1024 * 1024);
  // Per stream (SSRC): arrival times in ms, in a growing Float64Array.
  const arrivals = new Map<number, number[]>();
  let recording = false;
  s.on('message', (m) => {
    if (!recording || m.length < 12) return;
    const t = performance.now();
    const ssrc = m.readUInt32BE(8);
    let list = arrivals.get(ssrc);
    if (list === undefined) {
      list = [];
      arrivals.set(ssrc, list);
    }
    list.push(t, m.readUInt16BE(2));
  });
  send({ type: 'port', port: s.address().port });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'start') recording = true;
    if (m.type === 'stop') {
      recording = false;
      // Deviation of each packet from its stream's 20 ms grid (by sequence number),
      // relative to the stream's median offset.
      const deviations: number[] = [];
      let packets = 0;
      for (const list of arrivals.values()) {
        const t0 = list[0]!;
        const s0 = list[1]!;
        const offsets: number[] = [];
        for (let i = 0; i < list.length; i += 2) {
          const k = (list[i + 1]! - s0) & 0xffff;
          offsets.push(list[i]! - t0 - k * 20);
        }
        packets += offsets.length;
        const sorted = [...offsets].sort((a, b) => a - b);
        const median = sorted[sorted.length >> 1]!;
        for (const o of offsets) deviations.push(Math.abs(o - median));
      }
      deviations.sort((a, b) => a - b);
      const pct = (p: number) =>
        deviations[Math.min(deviations.length - 1, Math.floor(p * deviations.length))] ?? 0;
      send({
        type: 'jitter',
        streams: arrivals.size,
        packets,
        p50: pct(0.5),
        p99: pct(0.99),
        max: pct(1),
      });
      arrivals.clear();
    }
    if (m.type === 'exit') {
      s.close();
      rtcp.close();
      process.exit(0);
    }
  });
}

/**
 * The baseline a media engine competes with: the cheapest Node prompt sender we can
 * write — same sockets-per-stream, same phases, same synchronous lookup, no player,
 * no stats, no sequence bookkeeping beyond two header fields written in place.
 */
async function rawSender(native: boolean): Promise<void> {
  const batch = native ? UdpBatch.create() : undefined;
  if (native && batch === undefined) throw new Error('raw-batch: the udp-batch addon is not built');
  const { port } = await new Promise<{ port: number }>((resolve) =>
    process.once('message', (m: { port: number }) => resolve(m)),
  );
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = createSocket({
      type: 'udp4',
      lookup: ((h: string, _o: unknown, cb: (e: null, a: string, f: number) => void) =>
        cb(null, h, isIP(h))) as never,
    });
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
    sockets.push(s);
  }
  const packets = sockets.map((_, i) => {
    const b = Buffer.alloc(172, 0xff);
    b[0] = 0x80;
    b[1] = 0;
    b.writeUInt32BE(0x2000 + i, 8);
    return b;
  });
  const owner = { onSendFailed: () => {} };
  const slots = sockets.map((s) => batch?.register(s, '127.0.0.1', port, owner) ?? -1);
  const PHASES = 4;
  const jitter = new SendJitter(PHASES, 20);
  const start = performance.now();
  let sub = 0;
  let lateness: number[] = [];
  let running = true;
  let sent = 0;
  let cpu = process.cpuUsage();
  let wall = performance.now();
  const fire = () => {
    if (!running) return;
    const due = Math.floor((performance.now() - start) / 5);
    while (sub < due) {
      const phase = sub % PHASES;
      const round = Math.floor(sub / PHASES);
      let first = performance.now();
      let count = 0;
      batch?.begin();
      for (let i = phase; i < n; i += PHASES) {
        const b = packets[i]!;
        b.writeUInt16BE(round & 0xffff, 2);
        b.writeUInt32BE((round * 160) >>> 0, 4);
        if (batch !== undefined) batch.add(slots[i]!, b, 172);
        else sockets[i]!.send(b, port, '127.0.0.1');
        count++;
      }
      if (batch !== undefined) {
        first = performance.now();
        batch.flush();
      }
      sent += count;
      const last = performance.now();
      jitter.record(phase, count, first, last);
      lateness.push(last - (start + (sub + 1) * 5));
      sub++;
    }
    setTimeout(fire, Math.max(0, start + (sub + 1) * 5 - performance.now()));
  };
  fire();
  send({ type: 'ready' });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'start') {
      jitter.reset();
      lateness = [];
      sent = 0;
      cpu = process.cpuUsage();
      wall = performance.now();
    } else if (m.type === 'stop') {
      const d = process.cpuUsage(cpu);
      const sorted = lateness.sort((a, b) => a - b);
      send({
        type: 'raw-result',
        cpu: ((d.user + d.system) / 1000 / (performance.now() - wall)) * 100,
        cpuUs: d.user + d.system,
        sendJitter: jitter.report(),
        lateP50: sorted[Math.floor(sorted.length * 0.5)] ?? 0,
        lateP99: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
        sent,
        path: batch ? 'native-batch' : 'dgram',
      });
    } else if (m.type === 'exit') {
      running = false;
      for (const s of sockets) s.close();
      process.exit(0);
    }
  });
}

if (role === 'phones') await phones();
else if (role === 'raw-sender') await rawSender(false);
else if (role === 'raw-batch') await rawSender(true);
else if (role === 'raw-relay') await rawRelay();
else if (role === 'receiver') await receiver();
else throw new Error(`unknown role ${role}`);
