/**
 * Sends every RFC 4475 vector over UDP to the stack at 127.0.0.1:PORT (argv[3]) from
 * 127.0.0.1:5060, one at a time, and prints a JSON map vector → final statuses received
 * (matched by Call-ID). Listens on every port a vector's Via may send responses to
 * (§18.2.2). Vectors are read from argv[2]. Meant to run inside the same loopback-only
 * network namespace as rfc4475-stack.ts.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage } from '@uketsuke/sip';
import { RFC4475_REPLY_PORTS, RFC4475_UDP_OUTCOMES } from './rfc4475-outcomes.ts';

const dir = process.argv[2] ?? '';
const stackPort = Number(process.argv[3] ?? 5999);
/**
 * How long to listen after each vector. Always waited in full, so the stack's
 * transaction for it (Timers H/J at 64*T1 = 320 ms, see rfc4475-stack.ts) is gone before
 * the next vector, which may reuse its branch.
 */
const WINDOW_MS = 400;
/**
 * A vector that expects a final response and has none yet after WINDOW_MS is given up
 * to this long (a loaded machine can delay even an immediate 400); the test then judges
 * what arrived.
 */
const LATE_FINAL_MS = 5000;

function bind(port: number): Promise<Socket> {
  const s = createSocket('udp4');
  return new Promise((res, rej) => {
    s.once('error', rej);
    s.bind(port, '127.0.0.1', () => res(s));
  });
}

const sockets = await Promise.all(RFC4475_REPLY_PORTS.map(bind));
const main = sockets[RFC4475_REPLY_PORTS.indexOf(5060)]!;

let current: { callId: string | undefined; statuses: number[] } | undefined;
const strays: string[] = [];
/**
 * Final statuses already recorded per Call-ID. The stack retransmits a non-2xx final to an
 * INVITE (Timer G) until Timer H, and we never ACK: on a loaded machine its last copy can
 * land after the window, in the next vector's. That copy is not a stray.
 */
const answered = new Map<string, number[]>();
for (const s of sockets) {
  s.on('message', (data) => {
    let callId: string | undefined;
    let status = 0;
    try {
      const msg = parseMessage(data);
      if (msg.kind !== 'response') return;
      status = msg.status;
      // A 400 for a request without Call-ID ("insuf") has none either.
      callId = msg.headers.get('call-id');
    } catch {
      strays.push(data.toString('latin1').slice(0, 80));
      return;
    }
    if (current === undefined || (current.callId !== undefined && current.callId !== callId)) {
      if (callId !== undefined && answered.get(callId)?.includes(status)) return;
      strays.push(`${status} ${callId}`);
      return;
    }
    if (current.statuses.includes(status)) return; // a retransmission
    current.statuses.push(status);
  });
}

function callIdOf(data: Buffer): string | undefined {
  const m = /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(data.toString('latin1'));
  return m?.[1];
}

const results: Record<string, number[]> = {};
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.dat'))
  .sort()) {
  const data = readFileSync(join(dir, file));
  const name = file.replace(/\.dat$/, '');
  const statuses: number[] = [];
  const expectsFinal = (RFC4475_UDP_OUTCOMES[name] ?? null) !== null;
  const sentAt = Date.now();
  await new Promise<void>((resolve) => {
    const check = () => {
      const waited = Date.now() - sentAt;
      const finalSeen = statuses.some((s) => s >= 200);
      if (waited < WINDOW_MS || (expectsFinal && !finalSeen && waited < LATE_FINAL_MS)) {
        setTimeout(check, waited < WINDOW_MS ? WINDOW_MS - waited : 20);
        return;
      }
      current = undefined;
      resolve();
    };
    setTimeout(check, WINDOW_MS);
    current = { callId: callIdOf(data), statuses };
    main.send(data, stackPort, '127.0.0.1');
  });
  results[name] = statuses;
  const callId = callIdOf(data);
  if (callId !== undefined) answered.set(callId, [...(answered.get(callId) ?? []), ...statuses]);
}
for (const s of sockets) s.close();
console.log(JSON.stringify({ results, strays }));
