/**
 * MESSAGE (RFC 3428) between two endpoints on the loopback network: outside a dialog
 * (delivered → 200, refused by the app, 405 without a listener, digest challenge answered)
 * and inside an INVITE dialog in both directions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createResponse,
  DigestAuthenticator,
  type IncomingInviteSession,
  type IncomingMessage,
  type InfoRequest,
  LoopbackEndpointTransport,
  SipEndpoint,
} from '../src/index.ts';
import { ANSWER, B, endpointPair, OFFER } from './support/endpoint-pair.ts';

const URI = `sip:bob@${B.address}:${B.port}`;

describe('MESSAGE (RFC 3428)', () => {
  test('outside a dialog: delivered with its body and answered 200', async () => {
    const w = endpointPair();
    const got: IncomingMessage[] = [];
    w.b.on('message', (m) => got.push(m));
    const result = w.a.message({ uri: URI, body: 'hello, bob' });
    w.clock.advance(100);
    assert.equal((await result).status, 200);
    assert.equal(got.length, 1);
    assert.equal(got[0]?.body, 'hello, bob');
    assert.equal(got[0]?.contentType, 'text/plain');
    assert.equal(got[0]?.from.uri.kind, 'sip');
    assert.deepEqual(w.summary(), ['MESSAGE', '200 MESSAGE']);
  });

  test('the app refuses during the event; no listener gives 405', async () => {
    const w = endpointPair();
    w.b.once('message', (m) => m.reject(488));
    const refused = w.a.message({ uri: URI, body: 'x', contentType: 'application/x-odd' });
    w.clock.advance(100);
    assert.equal((await refused).status, 488);
    const unanswered = w.a.message({ uri: URI, body: 'y' });
    w.clock.advance(100);
    assert.equal((await unanswered).status, 405);
  });

  test('a 401 is answered with credentials once; a wrong password stays 401', async () => {
    const w = endpointPair();
    await w.b.close();
    const auth = new DigestAuthenticator({
      realm: 'test',
      clock: w.clock,
      lookup: (user) => (user === 'alice' ? { password: 'secret' } : undefined),
    });
    const delivered: string[] = [];
    const b = new SipEndpoint({
      clock: w.clock,
      onRequest: (request, tx) => {
        void auth.authenticate(request, 'www').then((r) => {
          if (r.ok) delivered.push(request.body.toString());
          tx.respond(
            createResponse(request, r.ok ? 200 : r.status, {
              toTag: 'b1',
              headers: r.ok ? [] : r.headers,
            }),
          );
        });
        return true;
      },
    });
    b.attach(new LoopbackEndpointTransport(w.net, B, b));
    const settle = async (p: Promise<{ status: number }>) => {
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setImmediate(r));
        w.clock.advance(50);
      }
      return (await p).status;
    };
    const right = w.a.message({
      uri: URI,
      body: 'yes',
      credentials: { username: 'alice', password: 'secret' },
    });
    assert.equal(await settle(right), 200);
    const wrong = w.a.message({
      uri: URI,
      body: 'no',
      credentials: { username: 'alice', password: 'bad' },
    });
    assert.equal(await settle(wrong), 401);
    assert.deepEqual(delivered, ['yes']);
    assert.deepEqual(
      w.summary().filter((x) => x.endsWith('MESSAGE')),
      [
        'MESSAGE',
        '401 MESSAGE',
        'MESSAGE',
        '200 MESSAGE',
        'MESSAGE',
        '401 MESSAGE',
        'MESSAGE',
        '401 MESSAGE',
      ],
    );
  });

  test('screenMessage challenges before any listener sees the message', async () => {
    const w = endpointPair();
    await w.b.close();
    const auth = new DigestAuthenticator({
      realm: 'test',
      clock: w.clock,
      lookup: (user) => (user === 'alice' ? { password: 'secret' } : undefined),
    });
    const hooked: string[] = [];
    const b = new SipEndpoint({
      clock: w.clock,
      // A registrar-like hook that handles only REGISTER: it must not open the door.
      onRequest: (request) => {
        hooked.push(request.method);
        return false;
      },
      screenMessage: auth.screenRequests(() => false, 'www'),
    });
    b.attach(new LoopbackEndpointTransport(w.net, B, b));
    const delivered: string[] = [];
    b.on('message', (m) => delivered.push(m.body));
    const settle = async (p: Promise<{ status: number }>) => {
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setImmediate(r));
        w.clock.advance(50);
      }
      return (await p).status;
    };
    assert.equal(await settle(w.a.message({ uri: URI, body: 'anonymous' })), 401);
    const signed = w.a.message({
      uri: URI,
      body: 'signed',
      credentials: { username: 'alice', password: 'secret' },
    });
    assert.equal(await settle(signed), 200);
    assert.deepEqual(delivered, ['signed']);
    // The hook saw every MESSAGE first; one transaction answered each (no duplicates).
    assert.deepEqual(hooked, ['MESSAGE', 'MESSAGE', 'MESSAGE']);
    assert.deepEqual(
      w.summary().filter((x) => x.endsWith('MESSAGE')),
      ['MESSAGE', '401 MESSAGE', 'MESSAGE', '401 MESSAGE', 'MESSAGE', '200 MESSAGE'],
    );
  });

  test('a hook that answers a MESSAGE keeps it from the listeners', async () => {
    const w = endpointPair();
    await w.b.close();
    const b = new SipEndpoint({
      clock: w.clock,
      onRequest: (request, tx) => {
        tx.respond(createResponse(request, 403, { toTag: 'b1' }));
        return true;
      },
    });
    b.attach(new LoopbackEndpointTransport(w.net, B, b));
    const delivered: string[] = [];
    b.on('message', (m) => delivered.push(m.body));
    const sent = w.a.message({ uri: URI, body: 'blocked' });
    w.clock.advance(100);
    assert.equal((await sent).status, 403);
    assert.deepEqual(delivered, []);
  });

  test('inside a dialog, both ways', async () => {
    const w = endpointPair();
    let incoming: IncomingInviteSession | undefined;
    const atCallee: InfoRequest[] = [];
    w.b.on('invite', (s) => {
      incoming = s;
      s.on('message', (m) => atCallee.push(m));
      s.accept(ANSWER);
    });
    const call = w.a.invite({ uri: URI, sdp: OFFER });
    const atCaller: string[] = [];
    call.on('message', (m) => atCaller.push(m.body));
    w.clock.advance(100);
    assert.ok(incoming);
    const s1 = call.message('text/plain', 'to bob');
    const s2 = incoming.message('text/plain', 'to alice');
    w.clock.advance(100);
    assert.deepEqual([await s1, await s2], [200, 200]);
    assert.deepEqual(
      atCallee.map((m) => m.body),
      ['to bob'],
    );
    assert.deepEqual(atCaller, ['to alice']);
    call.bye();
    w.clock.advance(100);
    await assert.rejects(call.message('text/plain', 'late'));
  });
});
