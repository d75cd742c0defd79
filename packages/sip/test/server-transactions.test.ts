import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_TIMERS,
  Invite2xxRetransmitter,
  InviteServerTransaction,
  ManualClock,
  NonInviteServerTransaction,
  parseMessage,
  type ServerTransactionUser,
  SipErrorCode,
  type SipRequest,
  SipStackError,
  createResponse,
  serializeMessage,
  TransactionLayer,
} from '../src/index.ts';
import { RFC4475_SKIP, readVector } from './support/rfc4475-dir.ts';
import { RecordingChannel, request, response } from './support/transaction-fixtures.ts';

function user() {
  const log = { timeouts: 0, acks: 0, errors: 0, terminated: 0 };
  const u: ServerTransactionUser = {
    onTimeout: () => log.timeouts++,
    onAck: () => log.acks++,
    onTransportError: () => log.errors++,
    onTerminated: () => log.terminated++,
  };
  return { u, log };
}

function setup(reliable = false) {
  const clock = new ManualClock();
  const layer = new TransactionLayer({ clock });
  const channel = new RecordingChannel(clock, reliable);
  return { clock, layer, channel };
}

test('INVITE server: 100 Trying at once, resent on INVITE retransmission', () => {
  const { layer, channel } = setup();
  const req = request('INVITE');
  assert.equal(layer.receiveRequest(req), false);
  const tx = layer.createServerTransaction(req, channel, user().u);
  assert.ok(tx instanceof InviteServerTransaction);
  assert.deepEqual(channel.statuses, [100]);
  assert.equal(layer.receiveRequest(request('INVITE')), true);
  assert.deepEqual(channel.statuses, [100, 100]);
});

test('INVITE server: non-2xx retransmitted by Timer G up to T2 until ACK; Timer I', () => {
  const { clock, layer, channel } = setup();
  const { u, log } = user();
  const req = request('INVITE');
  const tx = layer.createServerTransaction(req, channel, u) as InviteServerTransaction;
  tx.respond(response(req, 486));
  clock.advance(12_000);
  assert.deepEqual(channel.times, [0, 0, 0.5, 1.5, 3.5, 7.5, 11.5]);
  layer.receiveRequest(request('ACK'));
  assert.equal(tx.state, 'confirmed');
  clock.advance(20_000);
  assert.equal(channel.sent.length, 7, 'no more retransmissions');
  assert.equal(tx.state, 'terminated');
  assert.equal(log.timeouts, 0);
  assert.equal(layer.serverCount, 0);
});

test('INVITE server: Timer H fires without ACK', () => {
  const { clock, layer, channel } = setup();
  const { u, log } = user();
  const req = request('INVITE');
  const tx = layer.createServerTransaction(req, channel, u) as InviteServerTransaction;
  tx.respond(response(req, 500));
  clock.advance(32_000);
  assert.equal(log.timeouts, 1);
  assert.equal(tx.state, 'terminated');
});

test('INVITE server: 2xx → Accepted (RFC 6026); INVITE absorbed, ACK to TU, Timer L', () => {
  const { clock, layer, channel } = setup();
  const { u, log } = user();
  const req = request('INVITE');
  const tx = layer.createServerTransaction(req, channel, u) as InviteServerTransaction;
  tx.respond(response(req, 200));
  assert.equal(tx.state, 'accepted');
  layer.receiveRequest(request('INVITE'));
  assert.deepEqual(channel.statuses, [100, 200]);
  tx.respond(response(req, 200)); // the TU retransmits its 2xx itself (§13.3.1.4)
  layer.receiveRequest(request('ACK'));
  assert.equal(log.acks, 1);
  clock.advance(32_000);
  assert.equal(tx.state, 'terminated');
  assert.throws(
    () => tx.respond(response(req, 486)),
    (e: unknown) => e instanceof SipStackError && e.code === SipErrorCode.IllegalTransition,
  );
});

test('non-INVITE server: absorb in Trying, resend in Proceeding/Completed, Timer J', () => {
  const { clock, layer, channel } = setup();
  const { u } = user();
  const req = request('OPTIONS');
  const tx = layer.createServerTransaction(req, channel, u) as NonInviteServerTransaction;
  assert.ok(tx instanceof NonInviteServerTransaction);
  layer.receiveRequest(request('OPTIONS'));
  assert.equal(channel.sent.length, 0);
  tx.respond(response(req, 180));
  layer.receiveRequest(request('OPTIONS'));
  tx.respond(response(req, 200));
  layer.receiveRequest(request('OPTIONS'));
  assert.deepEqual(channel.statuses, [180, 180, 200, 200]);
  clock.advance(31_999);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.throws(() => tx.respond(response(req, 200)), SipStackError);
});

test('non-INVITE server: a retransmission in Completed gets the same bytes as the final response', () => {
  const { clock, layer, channel } = setup();
  const { u } = user();
  const req = request('MESSAGE');
  const tx = layer.createServerTransaction(req, channel, u) as NonInviteServerTransaction;
  const final = createResponse(req, 200, {
    toTag: 'b1',
    headers: [
      ['X-Note', 'café'],
      ['Content-Type', 'text/plain'],
    ],
    body: Buffer.from('déjà vu', 'utf8'),
  });
  tx.respond(final);
  const first = serializeMessage(final);
  layer.receiveRequest(request('MESSAGE'));
  layer.receiveRequest(request('MESSAGE'));
  assert.deepEqual(channel.statuses, [200, 200, 200]);
  for (const m of channel.sent.slice(1)) assert.deepEqual(serializeMessage(m.message), first);
  assert.deepEqual(tx.lastResponse && serializeMessage(tx.lastResponse), first);
  clock.advance(32_000);
  assert.equal(tx.state, 'terminated');
});

test('non-INVITE server over TCP: Timer J is zero', () => {
  const { layer, channel } = setup(true);
  const req = request('BYE');
  const tx = layer.createServerTransaction(req, channel, user().u);
  tx.respond(response(req, 200));
  assert.equal(tx.state, 'terminated');
});

test('server matching: sent-by and method count; CANCEL finds its INVITE (§9.2)', () => {
  const { layer, channel } = setup();
  const invite = request('INVITE');
  const ist = layer.createServerTransaction(invite, channel, user().u);
  const otherSentBy = parseMessage(
    serializeWithVia('SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-test-1'),
  ) as SipRequest;
  assert.equal(layer.findServerTransaction(otherSentBy), undefined);
  const cancel = request('CANCEL');
  assert.equal(layer.receiveRequest(cancel), false);
  assert.equal(layer.findInviteForCancel(cancel), ist);
});

function serializeWithVia(via: string): string {
  return [
    'INVITE sip:bob@127.0.0.1:5070 SIP/2.0',
    `Via: ${via}`,
    'To: <sip:bob@127.0.0.1>',
    'From: <sip:alice@127.0.0.1>;tag=a1',
    'Call-ID: call-1@127.0.0.1',
    'CSeq: 1 INVITE',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

test('RFC 2543 fallback matching for branch-less requests (RFC 4475 inv2543, badbranch)', {
  skip: RFC4475_SKIP,
}, () => {
  const { layer, channel } = setup();
  const invite = parseMessage(readVector('inv2543')) as SipRequest;
  const tx = layer.createServerTransaction(invite, channel, user().u) as InviteServerTransaction;
  assert.ok(layer.receiveRequest(parseMessage(readVector('inv2543')) as SipRequest));
  tx.respond(response(invite, 404));
  const ackText = readVector('inv2543')
    .toString('latin1')
    .replace('INVITE sip:UserB@example.com SIP/2.0', 'ACK sip:UserB@example.com SIP/2.0')
    .replace('CSeq: 56 INVITE', 'CSeq: 56 ACK')
    .replace(
      'To: sip:+16505552222@ss1.example.net;user=phone',
      'To: sip:+16505552222@ss1.example.net;user=phone;tag=b1',
    );
  layer.receiveRequest(
    parseMessage(ackText.slice(0, ackText.indexOf('\r\n\r\n') + 4)) as SipRequest,
  );
  assert.equal(tx.state, 'confirmed');
  // A bare "z9hG4bK" branch is readable but treated as RFC 2543 style.
  const opt = parseMessage(readVector('badbranch')) as SipRequest;
  const nist = layer.createServerTransaction(opt, channel, user().u);
  assert.match(nist.key, /^s2543\|/);
  assert.equal(
    layer.findServerTransaction(parseMessage(readVector('badbranch')) as SipRequest),
    nist,
  );
});

test('2xx retransmission by the UAS core (§13.3.1.4): T1 doubling to T2 until ACK', () => {
  const { clock, layer, channel } = setup(true); // even over a reliable transport
  const req = request('INVITE');
  const tx = layer.createServerTransaction(req, channel, user().u) as InviteServerTransaction;
  const ok = response(req, 200);
  tx.respond(ok);
  const r = new Invite2xxRetransmitter(
    { clock, timers: DEFAULT_TIMERS },
    { resend: () => tx.respond(ok), onAckTimeout: () => assert.fail('ACK came') },
  );
  clock.advance(12_000);
  assert.deepEqual(channel.times, [0, 0, 0.5, 1.5, 3.5, 7.5, 11.5]);
  layer.receiveRequest(request('ACK'));
  r.ackReceived();
  assert.equal(r.state, 'acked');
  clock.advance(60_000);
  assert.equal(channel.sent.length, 7);
});

test('2xx retransmission gives up after 64*T1 without ACK', () => {
  const clock = new ManualClock();
  let resent = 0;
  let timedOut = 0;
  const r = new Invite2xxRetransmitter(
    { clock, timers: DEFAULT_TIMERS },
    { resend: () => resent++, onAckTimeout: () => timedOut++ },
  );
  clock.advance(3_600_000);
  assert.equal(timedOut, 1);
  assert.equal(resent, 10); // 0.5 1.5 3.5 7.5 11.5 15.5 19.5 23.5 27.5 31.5
  assert.equal(r.state, 'timed-out');
  r.ackReceived();
  r.stop();
  assert.equal(r.state, 'timed-out');
});
