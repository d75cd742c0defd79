/**
 * In-process CPU cost of our UAS per SIP message, without sockets: the datagrams SIPp's
 * built-in `uac` sends (INVITE, ACK, BYE) go through what the UDP transport does with a
 * datagram (validateDatagram, stampVia, response destination) into a SipEndpoint that
 * rings and answers at once; every response it sends is serialized as for the wire but
 * not sent. 7 messages per call (3 in, 4 out: 100, 180, 200, 200 to BYE).
 *
 * CPU is process.cpuUsage() over the measured calls, so the kernel's UDP work and the
 * event loop's socket polling are not included: this isolates the code we own, for
 * before/after comparisons of hot-path changes. Time is virtual: each call advances a
 * bench clock by 1/rate seconds, so transactions live their full 64*T1 and expire as at
 * that call rate (the steady-state number of live calls, and so the garbage collector's
 * work, is what a real server at that rate would have), while the machine's load does not
 * stretch anything. The bench clock keeps timers in per-millisecond buckets.
 *
 *   node bench/sip/hot-path.ts [--calls 30000] [--warmup 50000] [--runs 5] [--rate 1500]
 *   node --expose-gc bench/sip/hot-path.ts --warmup 10000 --retained-per-call
 */
import { parseArgs } from 'node:util';
import {
  type Channel,
  type Clock,
  type EndpointTransport,
  responseDestination,
  type SipMessage,
  SipEndpoint,
  type SocketAddress,
  serializeMessage,
  stampVia,
  validateDatagram,
} from '@uketsuke/sip';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '30000' },
    warmup: { type: 'string', default: '50000' },
    runs: { type: 'string', default: '5' },
    rate: { type: 'string', default: '1500' },
    'retained-per-call': { type: 'boolean', default: false },
  },
});
const calls = Number(values.calls);
const warmup = Number(values.warmup);
const runs = Number(values.runs);
const msPerCall = 1000 / Number(values.rate);

/** Virtual time with timers in per-millisecond buckets (O(1) schedule and cancel). */
class BenchClock implements Clock {
  #now = 0;
  #fired = 0;
  readonly #buckets = new Map<number, Array<{ fire: (() => void) | undefined }>>();
  now(): number {
    return this.#now;
  }
  schedule(delayMs: number, callback: () => void) {
    const at = Math.max(Math.ceil(this.#now + Math.max(0, delayMs)), this.#fired + 1);
    const entry: { fire: (() => void) | undefined } = { fire: callback };
    const bucket = this.#buckets.get(at);
    if (bucket === undefined) this.#buckets.set(at, [entry]);
    else bucket.push(entry);
    return {
      cancel: () => {
        entry.fire = undefined;
      },
    };
  }
  advance(ms: number): void {
    const target = this.#now + ms;
    while (this.#fired + 1 <= target) {
      const at = ++this.#fired;
      const bucket = this.#buckets.get(at);
      if (bucket === undefined) continue;
      this.#buckets.delete(at);
      this.#now = at;
      for (const e of bucket) e.fire?.();
    }
    this.#now = target;
  }
}
const clock = new BenchClock();

const uas: SocketAddress = { address: '127.0.0.1', port: 15399 };
const uac: SocketAddress = { address: '127.0.0.1', port: 15398 };

let sent = 0;
let lastToTag = '';
let statuses = new Map<number, number>();

/** A channel per destination, as UdpTransport makes (a small object, no closure). */
class SerializingChannel implements Channel {
  readonly reliable = false;
  readonly to: SocketAddress;
  constructor(to: SocketAddress) {
    this.to = to;
  }
  send(message: SipMessage): void {
    const wire = serializeMessage(message);
    sent++;
    if (message.kind === 'response') {
      statuses.set(message.status, (statuses.get(message.status) ?? 0) + 1);
      if (message.status === 200 && message.cseq.method === 'INVITE') {
        lastToTag = /;tag=([^;>\s]+)/.exec(message.headers.get('to') ?? '')?.[1] ?? '';
      }
    }
    void wire;
  }
}

/** A transport that serializes what the endpoint sends and keeps only what the driver needs. */
class SerializingTransport implements EndpointTransport {
  readonly protocol = 'UDP';
  readonly reliable = false;
  readonly local = uas;
  #last: SerializingChannel | undefined;
  /** Reuses the last channel for the same destination, as UdpTransport does. */
  channel(to: SocketAddress): Channel {
    const last = this.#last;
    if (last !== undefined && last.to.port === to.port && last.to.address === to.address) {
      return last;
    }
    this.#last = new SerializingChannel(to);
    return this.#last;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const sdp = [
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

/** SIPp's built-in uac messages (sipp -sd uac), call number n. */
function request(method: 'INVITE' | 'ACK' | 'BYE', n: number, toTag = ''): Buffer {
  const local = `${uac.address}:${uac.port}`;
  const remote = `${uas.address}:${uas.port}`;
  const body = method === 'INVITE' ? sdp : '';
  const cseq = method === 'BYE' ? '2 BYE' : `1 ${method}`;
  const lines = [
    `${method} sip:service@${remote} SIP/2.0`,
    `Via: SIP/2.0/UDP ${local};branch=z9hG4bK-4242-${n}-${method === 'BYE' ? 7 : method === 'ACK' ? 5 : 0}`,
    `From: sipp <sip:sipp@${local}>;tag=4242SIPpTag00${n}`,
    `To: service <sip:service@${remote}>${toTag === '' ? '' : `;tag=${toTag}`}`,
    `Call-ID: ${n}-4242@127.0.0.1`,
    `CSeq: ${cseq}`,
    `Contact: sip:sipp@${local}`,
    'Max-Forwards: 70',
    'Subject: Performance Test',
    ...(method === 'INVITE' ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  return Buffer.from(lines.join('\r\n'));
}

const endpoint = new SipEndpoint({ user: 'answer', clock });
const transport = new SerializingTransport();
endpoint.attach(transport);
endpoint.on('invite', (s) => {
  s.ring();
  s.accept(sdp);
});

/** What UdpTransport does with one datagram. */
function deliver(data: Buffer): void {
  const verdict = validateDatagram(data);
  if (verdict.kind !== 'accept' || verdict.message.kind !== 'request') {
    throw new Error(`benchmark message refused: ${JSON.stringify(verdict.kind)}`);
  }
  const msg = verdict.message;
  stampVia(msg, uac);
  const via = msg.topVia;
  const to = (via && responseDestination(via)) ?? uac;
  endpoint.receiveRequest(msg, uac, transport.channel(to));
}

let next = 1;
function runCalls(count: number): void {
  for (let i = 0; i < count; i++) {
    const call = next++;
    deliver(request('INVITE', call));
    deliver(request('ACK', call, lastToTag));
    deliver(request('BYE', call, lastToTag));
    clock.advance(msPerCall);
  }
}

/** CPU of building the driver's own datagrams, measured alone and subtracted. */
function driverCost(count: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    request('INVITE', i);
    request('ACK', i, 'abcdef');
    request('BYE', i, 'abcdef');
  }
  const d = process.cpuUsage(start);
  return d.user + d.system;
}

if (values['retained-per-call']) {
  // Heap held per live call after a full collection (run with --expose-gc; keep
  // --warmup below 64*T1 × rate, e.g. 10000 at 1500/s, so every call is still held).
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('--retained-per-call needs node --expose-gc');
  runCalls(100); // load and compile what a call needs before the baseline
  gc();
  const before = process.memoryUsage().heapUsed;
  runCalls(warmup);
  gc();
  const bytes = Math.round((process.memoryUsage().heapUsed - before) / warmup);
  console.log(JSON.stringify({ liveCalls: warmup, heapBytesPerCall: bytes }));
  await endpoint.close();
  process.exit(0);
}
runCalls(warmup);
const results: number[] = [];
for (let r = 0; r < runs; r++) {
  statuses = new Map();
  sent = 0;
  const start = process.cpuUsage();
  runCalls(calls);
  const d = process.cpuUsage(start);
  const cpu = d.user + d.system - driverCost(calls);
  const messages = calls * 3 + sent;
  results.push(Math.round((cpu / messages) * 100) / 100);
  console.log(
    JSON.stringify({
      run: r + 1,
      calls,
      messages,
      responses: Object.fromEntries(statuses),
      cpuUsPerMessage: results.at(-1),
    }),
  );
}
const sorted = [...results].sort((a, b) => a - b);
console.log(
  JSON.stringify({
    medianCpuUsPerMessage: sorted[Math.floor(sorted.length / 2)],
    runs: results,
    // Live calls at the end: those of the last 64*T1 of virtual time.
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e5) / 10,
  }),
);
await endpoint.close();
process.exit(0);
