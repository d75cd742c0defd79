import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildCancel,
  type ClientTransactionUser,
  InviteClientTransaction,
  ManualClock,
  NonInviteClientTransaction,
  parseMessage,
  SipErrorCode,
  type SipRequest,
  type SipResponse,
  serializeMessage,
  TransactionLayer,
} from '../src/index.ts';
import { RecordingChannel, request, response } from './support/transaction-fixtures.ts';

function user() {
  const log = { responses: [] as number[], timeouts: 0, errors: [] as string[], terminated: 0 };
  const u: ClientTransactionUser = {
    onResponse: (r: SipResponse) => log.responses.push(r.status),
    onTimeout: () => log.timeouts++,
    onTransportError: (e) => log.errors.push(e.code),
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

test('non-INVITE over UDP: Timer E doubles to T2, Timer F times out at 64*T1', () => {
  const { clock, layer, channel } = setup();
  const { u, log } = user();
  const tx = layer.sendRequest(request('OPTIONS'), channel, u);
  assert.ok(tx instanceof NonInviteClientTransaction);
  clock.advance(40_000);
  assert.deepEqual(channel.times, [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]);
  assert.equal(log.timeouts, 1);
  assert.equal(tx.state, 'terminated');
  assert.equal(layer.clientCount, 0);
});

test('non-INVITE: provisional switches to T2 retransmits; final completes; Timer K absorbs', () => {
  const { clock, layer, channel } = setup();
  const { u, log } = user();
  const req = request('REGISTER');
  const tx = layer.sendRequest(req, channel, u);
  clock.advance(600);
  assert.ok(layer.receiveResponse(response(req, 100)));
  assert.equal(tx.state, 'proceeding');
  clock.advance(9_000);
  // sends at 0, 0.5, then 1.5 (E was armed at 1 s), then every T2
  assert.deepEqual(channel.times, [0, 0.5, 1.5, 5.5, 9.5]);
  layer.receiveResponse(response(req, 200));
  assert.equal(tx.state, 'completed');
  layer.receiveResponse(response(req, 200));
  assert.deepEqual(log.responses, [100, 200]);
  clock.advance(4_999);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.equal(log.timeouts, 0);
});

test('non-INVITE over a reliable transport: no retransmission, Timer K is zero', () => {
  const { clock, layer, channel } = setup(true);
  const { u } = user();
  const req = request('OPTIONS');
  const tx = layer.sendRequest(req, channel, u);
  clock.advance(10_000);
  assert.equal(channel.sent.length, 1);
  layer.receiveResponse(response(req, 200));
  assert.equal(tx.state, 'terminated');
});

test('INVITE over UDP: Timer A doubles without cap, Timer B times out', () => {
  const { clock, layer, channel } = setup();
  const { u, log } = user();
  const tx = layer.sendRequest(request('INVITE'), channel, u);
  assert.ok(tx instanceof InviteClientTransaction);
  clock.advance(60_000);
  assert.deepEqual(channel.times, [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5]);
  assert.equal(log.timeouts, 1);
  assert.equal(tx.state, 'terminated');
});

test('INVITE: 1xx stops retransmission; non-2xx is ACKed (again on retransmission); Timer D', () => {
  const { clock, layer, channel } = setup();
  const { u, log } = user();
  const req = request('INVITE');
  const tx = layer.sendRequest(req, channel, u);
  layer.receiveResponse(response(req, 180));
  clock.advance(10_000);
  assert.equal(channel.sent.length, 1);
  layer.receiveResponse(response(req, 486));
  assert.equal(tx.state, 'completed');
  const ack = channel.sent[1]!.message;
  assert.ok(ack.kind === 'request' && ack.method === 'ACK');
  assert.deepEqual(ack.cseq, { seq: 1, method: 'ACK' });
  assert.equal(ack.topVia?.params.get('branch'), 'z9hG4bK-test-1');
  assert.equal(ack.to.params.get('tag'), 'b1');
  layer.receiveResponse(response(req, 486));
  assert.deepEqual(channel.statuses, ['INVITE', 'ACK', 'ACK']);
  assert.deepEqual(log.responses, [180, 486]);
  clock.advance(31_999);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('INVITE: 2xx moves to Accepted (RFC 6026), retransmitted 2xx reach the TU until Timer M', () => {
  const { clock, layer, channel } = setup();
  const { u, log } = user();
  const req = request('INVITE');
  const tx = layer.sendRequest(req, channel, u);
  layer.receiveResponse(response(req, 200));
  assert.equal(tx.state, 'accepted');
  clock.advance(1000);
  layer.receiveResponse(response(req, 200));
  assert.deepEqual(log.responses, [200, 200]);
  assert.equal(channel.sent.length, 1, 'no ACK for 2xx from the transaction');
  clock.advance(31_000);
  assert.equal(tx.state, 'terminated');
  assert.equal(layer.receiveResponse(response(req, 200)), false);
});

test('INVITE over TCP: Timer D is zero', () => {
  const { layer, channel } = setup(true);
  const { u } = user();
  const req = request('INVITE');
  const tx = layer.sendRequest(req, channel, u);
  layer.receiveResponse(response(req, 404));
  assert.equal(tx.state, 'terminated');
});

test('transport errors terminate and inform the TU', () => {
  const { layer, channel } = setup();
  channel.fail = true;
  const { u, log } = user();
  const tx = layer.sendRequest(request('OPTIONS'), channel, u);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(log.errors, [SipErrorCode.TransportError]);
  assert.equal(log.terminated, 1);
});

test('responses match by branch and CSeq method (§17.1.3)', () => {
  const { layer, channel } = setup();
  const inv = user();
  const can = user();
  const invite = request('INVITE');
  const cancel = request('CANCEL');
  layer.sendRequest(invite, channel, inv.u);
  layer.sendRequest(cancel, channel, can.u);
  layer.receiveResponse(response(cancel, 200));
  layer.receiveResponse(response(invite, 487));
  assert.deepEqual(can.log.responses, [200]);
  assert.deepEqual(inv.log.responses, [487]);
  assert.equal(layer.receiveResponse(response(request('INVITE', 'z9hG4bK-other'), 200)), false);
  assert.throws(() => layer.sendRequest(request('ACK'), channel, inv.u), /ACK/);
});

test('CANCEL built per §9.1 reaches the INVITE server transaction it targets (§9.2)', () => {
  const { layer, channel } = setup();
  const invite = request('INVITE', 'z9hG4bK-c1', 'Route: <sip:proxy.invalid;lr>');
  const cancel = buildCancel(invite);
  assert.equal(cancel.uriText, invite.uriText);
  assert.deepEqual(cancel.cseq, { seq: 1, method: 'CANCEL' });
  assert.equal(cancel.headers.get('via'), invite.headers.get('via'));
  assert.equal(cancel.headers.get('route'), '<sip:proxy.invalid;lr>');
  const ist = layer.createServerTransaction(invite, channel, {});
  const wire = parseMessage(serializeMessage(cancel)) as SipRequest;
  assert.equal(layer.findInviteForCancel(wire), ist);
});
