/**
 * Client and server transaction layers talking through the in-memory loopback network
 * with loss, duplication, delay and reordering, on virtual time: hours of SIP timers run
 * in well under a second of real time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createResponse,
  LoopbackNetwork,
  ManualClock,
  parseMessage,
  type SipRequest,
  SipStackError,
  TransactionLayer,
  validateDatagram,
} from '../src/index.ts';
import { Prng } from './support/prng.ts';

const UAC = '127.0.0.1:5060';
const UAS = '127.0.0.1:5070';

function makeRequest(method: string, n: number): SipRequest {
  return parseMessage(
    [
      `${method} sip:svc@${UAS} SIP/2.0`,
      `Via: SIP/2.0/UDP ${UAC};branch=z9hG4bK-${method}-${n}`,
      'Max-Forwards: 70',
      `To: <sip:svc@${UAS}>`,
      `From: <sip:caller@${UAC}>;tag=f${n}`,
      `Call-ID: c${n}@127.0.0.1`,
      `CSeq: ${n} ${method}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ) as SipRequest;
}

function world(seed: number, faults: ConstructorParameters<typeof LoopbackNetwork>[0]['faults']) {
  const clock = new ManualClock();
  const prng = new Prng(seed);
  const net = new LoopbackNetwork({ clock, random: () => prng.next(), faults });
  const client = new TransactionLayer({ clock });
  const server = new TransactionLayer({ clock });
  const serverStats = { created: 0, timeouts: 0 };
  net.bind(UAC, (data) => {
    const v = validateDatagram(data);
    assert.equal(v.kind, 'accept');
    if (v.kind === 'accept' && v.message.kind === 'response') client.receiveResponse(v.message);
  });
  net.bind(UAS, (data, from) => {
    const v = validateDatagram(data);
    assert.equal(v.kind, 'accept');
    if (v.kind !== 'accept' || v.message.kind !== 'request') return;
    const req = v.message;
    if (server.receiveRequest(req) || req.method === 'ACK') return;
    serverStats.created++;
    const tx = server.createServerTransaction(req, net.channel(UAS, from), {
      onTimeout: () => serverStats.timeouts++,
    });
    // The TU answers after a little thinking time.
    clock.schedule(50, () => {
      if (req.method === 'INVITE') tx.respond(createResponse(req, 180, { toTag: 't' }));
      clock.schedule(100, () =>
        tx.respond(createResponse(req, req.method === 'INVITE' ? 486 : 200, { toTag: 't' })),
      );
    });
  });
  return { clock, net, client, server, serverStats };
}

test('lossy, duplicating, reordering network: every transaction completes', () => {
  const started = performance.now();
  const w = world(7, { drop: 0.2, duplicate: 0.1, delayMs: [0, 300] });
  const outcome = { final: 0, timeout: 0, provisional: 0 };
  const COUNT = 600;
  for (let n = 1; n <= COUNT; n++) {
    const method = n % 3 === 0 ? 'INVITE' : n % 3 === 1 ? 'OPTIONS' : 'REGISTER';
    w.clock.schedule(n * 10_000, () => {
      w.client.sendRequest(makeRequest(method, n), w.net.channel(UAC, UAS), {
        onResponse: (r) => {
          if (r.status >= 200) outcome.final++;
          else outcome.provisional++;
        },
        onTimeout: () => outcome.timeout++,
      });
    });
  }
  w.clock.runAll();
  const virtualHours = w.clock.now() / 3_600_000;
  assert.ok(virtualHours > 1.5, `ran ${virtualHours} h`);
  assert.equal(outcome.final, COUNT);
  assert.equal(outcome.timeout, 0);
  assert.equal(w.serverStats.created, COUNT);
  assert.equal(w.serverStats.timeouts, 0);
  assert.equal(w.client.clientCount, 0);
  assert.equal(w.server.serverCount, 0);
  assert.ok(w.net.stats.dropped > 0 && w.net.stats.duplicated > 0);
  assert.ok(performance.now() - started < 10_000);
});

test('a dead peer: Timer B and F expire after 64*T1 and the layer is left empty', () => {
  const w = world(1, { drop: 1 });
  let timeouts = 0;
  w.client.sendRequest(makeRequest('INVITE', 1), w.net.channel(UAC, UAS), {
    onResponse: () => assert.fail('no response expected'),
    onTimeout: () => timeouts++,
  });
  w.client.sendRequest(makeRequest('OPTIONS', 2), w.net.channel(UAC, UAS), {
    onResponse: () => assert.fail('no response expected'),
    onTimeout: () => timeouts++,
  });
  w.clock.advance(31_999);
  assert.equal(timeouts, 0);
  w.clock.advance(1);
  assert.equal(timeouts, 2);
  // INVITE: 7 sends (Timer A); OPTIONS: 11 sends (Timer E capped at T2).
  assert.equal(w.net.stats.sent, 18);
  assert.equal(w.client.clientCount, 0);
});

test('the loopback network refuses unknown destinations', () => {
  const w = world(1, {});
  assert.throws(() => w.net.sendBytes(UAC, '192.0.2.1:5060', Buffer.from('x')), SipStackError);
  let errors = 0;
  const tx = w.client.sendRequest(
    makeRequest('OPTIONS', 3),
    w.net.channel(UAC, '203.0.113.9:5060'),
    {
      onResponse: () => {},
      onTransportError: () => errors++,
    },
  );
  assert.equal(errors, 1);
  assert.equal(tx.state, 'terminated');
});
