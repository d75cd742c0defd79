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
  type SipEndpointOptions,
} from '../src/index.ts';
import { ANSWER, B, endpointPair, OFFER } from './support/endpoint-pair.ts';

const URI = `sip:bob@${B.address}:${B.port}`;

type Pair = ReturnType<typeof endpointPair>;

/** Replace the pair's B with an endpoint built with `options`, on the same clock and address. */
async function replaceB(w: Pair, options: SipEndpointOptions): Promise<SipEndpoint> {
  await w.b.close();
  const b = new SipEndpoint({ clock: w.clock, ...options });
  b.attach(new LoopbackEndpointTransport(w.net, B, b));
  return b;
}

/** A pair and a digest authenticator that knows alice / secret. */
function pairWithAuth() {
  const w = endpointPair();
  const auth = new DigestAuthenticator({
    realm: 'test',
    clock: w.clock,
    lookup: (user) => (user === 'alice' ? { password: 'secret' } : undefined),
  });
  return { w, auth };
}

/** Let the authenticator's promises and the virtual clock run until `p` settles. */
async function settle(w: Pair, p: Promise<{ status: number }>): Promise<number> {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setImmediate(r));
    w.clock.advance(50);
  }
  return (await p).status;
}

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
    const { w, auth } = pairWithAuth();
    const delivered: string[] = [];
    await replaceB(w, {
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
    const right = w.a.message({
      uri: URI,
      body: 'yes',
      credentials: { username: 'alice', password: 'secret' },
    });
    assert.equal(await settle(w, right), 200);
    const wrong = w.a.message({
      uri: URI,
      body: 'no',
      credentials: { username: 'alice', password: 'bad' },
    });
    assert.equal(await settle(w, wrong), 401);
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
    const { w, auth } = pairWithAuth();
    const hooked: string[] = [];
    const b = await replaceB(w, {
      // A registrar-like hook that handles only REGISTER: it must not open the door.
      onRequest: (request) => {
        hooked.push(request.method);
        return false;
      },
      screenMessage: auth.screenRequests(() => false, 'www'),
    });
    const delivered: string[] = [];
    b.on('message', (m) => delivered.push(m.body));
    assert.equal(await settle(w, w.a.message({ uri: URI, body: 'anonymous' })), 401);
    const signed = w.a.message({
      uri: URI,
      body: 'signed',
      credentials: { username: 'alice', password: 'secret' },
    });
    assert.equal(await settle(w, signed), 200);
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
    const b = await replaceB(w, {
      onRequest: (request, tx) => {
        tx.respond(createResponse(request, 403, { toTag: 'b1' }));
        return true;
      },
    });
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
