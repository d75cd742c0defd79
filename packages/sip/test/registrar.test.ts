/**
 * Registrar and Digest authentication (RFC 3261 §10.3, §22; RFC 8760 SHA-256 and MD5;
 * RFC 7616 nonce handling) on a ManualClock, plus the 407 challenge of INVITEs from
 * unknown sources through SipEndpoint's screenInvite hook.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AuthHeader,
  computeDigestResponse,
  DigestAuthenticator,
  type DigestAlgorithm,
  digestHa1,
  formatAuthHeader,
  ManualClock,
  NonceStore,
  parseAuthHeader,
  parseMessage,
  Registrar,
  type SessionEnd,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  TransactionLayer,
} from '../src/index.ts';
import { ANSWER, B, endpointPair, OFFER } from './support/endpoint-pair.ts';

const REALM = 'uketsuke.test';
const USERS: Record<string, string> = { op1: 'op1-pass', op2: 'op2-pass' };

function world(
  options: { algorithms?: Array<'SHA-256' | 'MD5'>; ha1?: boolean; nonceLifetimeMs?: number } = {},
) {
  const clock = new ManualClock();
  const auth = new DigestAuthenticator({
    realm: REALM,
    clock,
    algorithms: options.algorithms,
    nonceLifetimeMs: options.nonceLifetimeMs ?? 60_000,
    lookup: (username) => {
      const password = USERS[username];
      if (password === undefined) return undefined;
      return options.ha1
        ? { ha1: { MD5: digestHa1('MD5', username, REALM, password) } }
        : { password };
    },
  });
  const registrar = new Registrar({ clock, authenticator: auth, minExpires: 60 });
  const layer = new TransactionLayer({ clock });
  let n = 0;
  /** Send a REGISTER through a server transaction; resolves with the response. */
  async function register(lines: {
    user?: string;
    contact?: string[];
    expires?: number;
    cseq?: number;
    callId?: string;
    auth?: string;
  }): Promise<SipResponse> {
    n++;
    const user = lines.user ?? 'op1';
    const text = [
      `REGISTER sip:${REALM} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-reg-${n}`,
      'Max-Forwards: 70',
      `To: <sip:${user}@${REALM}>`,
      `From: <sip:${user}@${REALM}>;tag=t${n}`,
      `Call-ID: ${lines.callId ?? 'reg-1@127.0.0.1'}`,
      `CSeq: ${lines.cseq ?? n} REGISTER`,
      ...(lines.contact ?? ['<sip:op1@127.0.0.1:5062>']).map((c) => `Contact: ${c}`),
      ...(lines.expires === undefined ? [] : [`Expires: ${lines.expires}`]),
      ...(lines.auth === undefined ? [] : [`Authorization: ${lines.auth}`]),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const request = parseMessage(text) as SipRequest;
    const sent: SipMessage[] = [];
    const tx = layer.createServerTransaction(
      request,
      { reliable: true, send: (m) => sent.push(m) },
      {},
    );
    await registrar.handle(request, tx as Parameters<Registrar['handle']>[1]);
    const response = sent.at(-1);
    assert.ok(response?.kind === 'response');
    return response;
  }
  return { clock, auth, registrar, register };
}

function challenges(response: SipResponse, name = 'www-authenticate'): AuthHeader[] {
  return response.headers.getAll(name).map((v) => parseAuthHeader(v, name));
}

/** Credentials answering `challenge` the way a phone would. */
function answer(
  challenge: AuthHeader,
  options: { user?: string; password?: string; nc?: number; method?: string; uri?: string } = {},
): string {
  const user = options.user ?? 'op1';
  const algorithm = (challenge.params.get('algorithm') ?? 'MD5') as DigestAlgorithm;
  const nonce = challenge.params.get('nonce') ?? '';
  const nc = (options.nc ?? 1).toString(16).padStart(8, '0');
  const uri = options.uri ?? `sip:${REALM}`;
  const response = computeDigestResponse({
    algorithm,
    username: user,
    realm: REALM,
    secret: { password: options.password ?? USERS[user] ?? 'x' },
    nonce,
    method: options.method ?? 'REGISTER',
    uri,
    qop: 'auth',
    nc,
    cnonce: 'c0ffee',
  });
  const params = new Map([
    ['username', user],
    ['realm', REALM],
    ['nonce', nonce],
    ['uri', uri],
    ['algorithm', algorithm],
    ['qop', 'auth'],
    ['nc', nc],
    ['cnonce', 'c0ffee'],
    ['response', response],
  ]);
  return formatAuthHeader({ scheme: 'digest', params }, 'credentials');
}

describe('registrar with digest authentication', () => {
  test('401 offers SHA-256 first, then MD5, with qop=auth (RFC 8760 §2.4)', async () => {
    const w = world();
    const r = await w.register({});
    assert.equal(r.status, 401);
    const c = challenges(r);
    assert.deepEqual(
      c.map((h) => h.params.get('algorithm')),
      ['SHA-256', 'MD5'],
    );
    assert.equal(c[0]?.params.get('qop'), 'auth');
    assert.equal(c[0]?.params.get('realm'), REALM);
  });

  for (const index of [0, 1]) {
    const name = index === 0 ? 'SHA-256' : 'MD5';
    test(`${name} credentials register the contact`, async () => {
      const w = world();
      const c = challenges(await w.register({}))[index]!;
      const r = await w.register({ auth: answer(c) });
      assert.equal(r.status, 200);
      assert.deepEqual(r.headers.getAll('contact'), ['<sip:op1@127.0.0.1:5062>;expires=3600']);
      assert.deepEqual(
        w.registrar.lookup(`sip:op1@${REALM}`).map((b) => b.contact),
        ['sip:op1@127.0.0.1:5062'],
      );
    });
  }

  test('stored HA1 (MD5) instead of the password', async () => {
    const w = world({ algorithms: ['MD5'], ha1: true });
    const c = challenges(await w.register({}))[0]!;
    assert.equal((await w.register({ auth: answer(c) })).status, 200);
  });

  test('replayed nonce-count is refused; the next count is accepted', async () => {
    const w = world();
    const c = challenges(await w.register({}))[0]!;
    assert.equal((await w.register({ auth: answer(c, { nc: 1 }) })).status, 200);
    assert.equal((await w.register({ auth: answer(c, { nc: 1 }) })).status, 401);
    assert.equal((await w.register({ auth: answer(c, { nc: 2 }) })).status, 200);
  });

  test('an expired nonce gets a new challenge with stale=true', async () => {
    const w = world();
    const c = challenges(await w.register({}))[0]!;
    w.clock.advance(61_000);
    const r = await w.register({ auth: answer(c) });
    assert.equal(r.status, 401);
    assert.equal(challenges(r)[0]?.params.get('stale'), 'true');
  });

  test("wrong password and unknown user both get 401; another user's AOR gets 403", async () => {
    const w = world();
    const c = challenges(await w.register({}))[0]!;
    assert.equal((await w.register({ auth: answer(c, { password: 'nope' }) })).status, 401);
    assert.equal((await w.register({ auth: answer(c, { user: 'mallory', nc: 2 }) })).status, 401);
    const r = await w.register({ user: 'op1', auth: answer(c, { user: 'op2', nc: 3 }) });
    assert.equal(r.status, 403);
  });

  test('several contacts, per-contact expires, 423, expiry, and * removal', async () => {
    const w = world({ nonceLifetimeMs: 600_000 });
    const c = challenges(await w.register({}))[0]!;
    let nc = 0;
    const reg = (fields: Parameters<typeof w.register>[0]) =>
      w.register({ ...fields, auth: answer(c, { nc: ++nc }) });
    const two = await reg({
      contact: ['<sip:op1@127.0.0.1:5062>;expires=120', '<sip:op1@[::1]:5062>;q=0.5'],
      expires: 600,
    });
    assert.equal(two.status, 200);
    assert.deepEqual(two.headers.getAll('contact'), [
      '<sip:op1@127.0.0.1:5062>;expires=120',
      '<sip:op1@[::1]:5062>;q=0.5;expires=600',
    ]);
    const brief = await reg({ contact: ['<sip:op1@127.0.0.1:5064>'], expires: 10 });
    assert.equal(brief.status, 423);
    assert.equal(brief.headers.get('min-expires'), '60');
    w.clock.advance(121_000);
    assert.deepEqual(
      w.registrar.lookup(`sip:op1@${REALM}`).map((b) => b.contact),
      ['sip:op1@[::1]:5062'],
    );
    assert.equal((await reg({ contact: ['*'] })).status, 400);
    assert.equal((await reg({ contact: ['*'], expires: 0 })).status, 200);
    assert.deepEqual(w.registrar.lookup(`sip:op1@${REALM}`), []);
  });

  test('same Call-ID with a CSeq not higher is out of order (§10.3 step 7)', async () => {
    const w = world();
    const c = challenges(await w.register({}))[0]!;
    assert.equal((await w.register({ cseq: 10, auth: answer(c, { nc: 1 }) })).status, 200);
    assert.equal((await w.register({ cseq: 9, auth: answer(c, { nc: 2 }) })).status, 500);
    assert.equal((await w.register({ cseq: 11, auth: answer(c, { nc: 3 }) })).status, 200);
  });

  test('nonce store: qop-less nonces are single-use and the store is bounded', () => {
    const clock = new ManualClock();
    let k = 0;
    const store = new NonceStore({ clock, random: () => `n${k++}`, maxNonces: 2 });
    const a = store.issue();
    assert.equal(store.use(a, undefined), 'fresh');
    assert.equal(store.use(a, undefined), 'replayed');
    store.issue();
    store.issue();
    assert.equal(store.size, 2);
    assert.equal(store.use(a, '00000001'), 'unknown');
    assert.equal(store.use('zz', '00000001'), 'unknown');
  });
});

describe('INVITE from an unknown source: 407 (§22.3)', () => {
  test('challenged, then let in with Proxy-Authorization', async () => {
    const w = endpointPair();
    const auth = new DigestAuthenticator({
      realm: REALM,
      clock: w.clock,
      lookup: (u) => (USERS[u] === undefined ? undefined : { password: USERS[u] }),
    });
    // Rebuild B with the hook: the pair's B has none.
    const { SipEndpoint, LoopbackEndpointTransport } = await import('../src/index.ts');
    await w.b.close();
    const b = new SipEndpoint({
      clock: w.clock,
      screenInvite: auth.screenInvites(() => false),
    });
    b.attach(new LoopbackEndpointTransport(w.net, B, b));
    b.on('invite', (s) => s.accept(ANSWER));
    const uri = `sip:service@${B.address}:${B.port}`;
    // The screen is asynchronous: let virtual time and promise jobs take turns.
    const settle = async () => {
      for (let i = 0; i < 5; i++) {
        w.clock.advance(50);
        await new Promise((r) => setImmediate(r));
      }
    };
    const first = w.a.invite({ uri, sdp: OFFER });
    const ends: SessionEnd[] = [];
    first.once('ended', (e) => ends.push(e));
    await settle();
    assert.deepEqual(ends, [{ reason: 'rejected', by: 'remote', status: 407 }]);
    const challenge = w.wire
      .map((r) => r.message)
      .find((m): m is SipResponse => m.kind === 'response' && m.status === 407);
    assert.ok(challenge);
    const c = challenges(challenge, 'proxy-authenticate')[0]!;
    const second = w.a.invite({
      uri,
      sdp: OFFER,
      headers: [['Proxy-Authorization', answer(c, { method: 'INVITE', uri })]],
    });
    let answered = false;
    second.once('answered', () => {
      answered = true;
    });
    await settle();
    assert.ok(answered);
    assert.deepEqual(
      w.summary().filter((x) => x.startsWith('407') || x === 'ACK'),
      ['407 INVITE', 'ACK', 'ACK'],
    );
  });

  test('our UAC answers the 407 itself when given credentials (SHA-256 preferred)', async () => {
    const w = endpointPair();
    const auth = new DigestAuthenticator({
      realm: REALM,
      clock: w.clock,
      lookup: (u) => (USERS[u] === undefined ? undefined : { password: USERS[u] }),
    });
    const { SipEndpoint, LoopbackEndpointTransport } = await import('../src/index.ts');
    await w.b.close();
    const b = new SipEndpoint({ clock: w.clock, screenInvite: auth.screenInvites(() => false) });
    b.attach(new LoopbackEndpointTransport(w.net, B, b));
    b.on('invite', (s) => s.accept(ANSWER));
    const call = w.a.invite({
      uri: `sip:service@${B.address}:${B.port}`,
      sdp: OFFER,
      credentials: { username: 'op2', password: USERS.op2 ?? '' },
    });
    let answered = false;
    call.once('answered', () => {
      answered = true;
    });
    for (let i = 0; i < 6; i++) {
      w.clock.advance(50);
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(answered);
    assert.equal(call.request.cseq.seq, 2);
    assert.match(call.request.headers.get('proxy-authorization') ?? '', /algorithm=SHA-256/);
    assert.equal(call.dialog?.localSeq, 2);
    // A wrong password is retried at most twice, then the 407 ends the call.
    const bad = w.a.invite({
      uri: `sip:service@${B.address}:${B.port}`,
      sdp: OFFER,
      credentials: { username: 'op2', password: 'wrong' },
    });
    const ends: SessionEnd[] = [];
    bad.once('ended', (e) => ends.push(e));
    for (let i = 0; i < 8; i++) {
      w.clock.advance(50);
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(ends, [{ reason: 'rejected', by: 'remote', status: 407 }]);
    assert.equal(bad.request.cseq.seq, 3);
  });
});

describe('registration client (§10.2) against our registrar', () => {
  async function setup(options: { minExpires?: number } = {}) {
    const w = endpointPair();
    const auth = new DigestAuthenticator({
      realm: REALM,
      clock: w.clock,
      nonceLifetimeMs: 3_600_000,
      lookup: (u) => (USERS[u] === undefined ? undefined : { password: USERS[u] }),
    });
    const registrar = new Registrar({
      clock: w.clock,
      authenticator: auth,
      minExpires: options.minExpires ?? 60,
    });
    const { SipEndpoint, LoopbackEndpointTransport } = await import('../src/index.ts');
    await w.b.close();
    const b = new SipEndpoint({ clock: w.clock, onRequest: registrar.handles });
    b.attach(new LoopbackEndpointTransport(w.net, B, b));
    const settle = async (ms: number) => {
      for (let t = 0; t < ms; t += 50) {
        w.clock.advance(50);
        await new Promise((r) => setImmediate(r));
      }
    };
    return { w, registrar, settle };
  }
  const AOR = `sip:op1@${REALM}`;

  test('registers through a 401, refreshes with the same challenge, unregisters', async () => {
    const { w, registrar, settle } = await setup();
    const granted: number[] = [];
    const client = w.a.register({
      registrar: `sip:${B.address}:${B.port}`,
      aor: AOR,
      expires: 120,
      credentials: { username: 'op1', password: USERS.op1 ?? '' },
    });
    client.on('registered', (e) => granted.push(e));
    await settle(300);
    assert.deepEqual(granted, [120]);
    assert.deepEqual(
      registrar.lookup(AOR).map((b) => b.contact),
      ['sip:alice@127.0.0.1:5060'],
    );
    await settle(61_000);
    assert.deepEqual(granted, [120, 120]);
    // The refresh reused the challenge (nc=2): one 401 in all.
    assert.equal(w.summary().filter((x) => x === '401 REGISTER').length, 1);
    const stopped = client.stop();
    await settle(300);
    await stopped;
    assert.equal(client.state, 'stopped');
    assert.deepEqual(registrar.lookup(AOR), []);
  });

  test('423 Interval Too Brief: asks again with Min-Expires', async () => {
    const { w, settle } = await setup({ minExpires: 300 });
    const granted: number[] = [];
    const client = w.a.register({
      registrar: `sip:${B.address}:${B.port}`,
      aor: AOR,
      expires: 60,
      credentials: { username: 'op1', password: USERS.op1 ?? '' },
    });
    client.on('registered', (e) => granted.push(e));
    await settle(300);
    assert.deepEqual(granted, [300]);
    assert.ok(w.summary().includes('423 REGISTER'));
  });

  test('a wrong password fails and is retried later', async () => {
    const { w, settle } = await setup();
    const failures: number[] = [];
    const client = w.a.register({
      registrar: `sip:${B.address}:${B.port}`,
      aor: AOR,
      credentials: { username: 'op1', password: 'wrong' },
      retryMs: 10_000,
    });
    client.on('failed', (s) => failures.push(s));
    await settle(300);
    assert.deepEqual(failures, [401]);
    assert.equal(client.state, 'waiting-retry');
    await settle(10_500);
    assert.deepEqual(failures, [401, 401]);
    await client.stop();
    assert.equal(client.state, 'stopped');
  });
});
