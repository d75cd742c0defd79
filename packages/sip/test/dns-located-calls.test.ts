/**
 * Outgoing calls to host names (RFC 3263) with failover (§4.3), resolved by a real DNS
 * server of our own on 127.0.0.1: a refused TCP target, a silent UDP target (Timer B), and
 * SIPS over TLS with the certificate checked against the URI's domain.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isLoopback, type SessionEnd, ServerLocator, SipEndpoint } from '../src/index.ts';
import { TestDnsServer } from './support/dns-server.ts';
import { ANSWER, OFFER } from './support/endpoint-pair.ts';
import {
  makeTestCertificate,
  OPENSSL_SKIP,
  type TestCertificate,
} from './support/test-certificate.ts';

/** A TCP port on 127.0.0.1 nobody listens on (bound, then closed). */
async function closedTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('calls located through DNS, with failover', {
  skip: OPENSSL_SKIP,
  timeout: 60_000,
}, () => {
  let dns: TestDnsServer;
  let cert: TestCertificate;
  let a: SipEndpoint;
  let b: SipEndpoint;
  const blackHole = createSocket('udp4'); // receives INVITEs and never answers
  let invites = 0;

  before(async () => {
    dns = await TestDnsServer.start();
    cert = makeTestCertificate(['secure.test']);
    const tls = { port: 0, cert: cert.cert, key: cert.key, ca: cert.cert };
    const opts = { host: '127.0.0.1', port: 0, allowDestination: isLoopback, tls };
    const locator = (transports: Array<'UDP' | 'TCP' | 'TLS'>) =>
      new ServerLocator({ servers: [dns.address], transports, timeoutMs: 500, tries: 1 });
    // T1 = 50 ms: Timer B (64·T1) is 3.2 s, so a silent UDP target fails over quickly.
    a = await SipEndpoint.listen(opts, {
      user: 'alice',
      timers: { t1: 50, t2: 400, t4: 500 },
      locator: locator(['UDP', 'TCP', 'TLS']),
    });
    b = await SipEndpoint.listen(opts, { user: 'bob' });
    b.on('invite', (s) => {
      invites++;
      s.accept(ANSWER);
    });
    await new Promise<void>((r) => blackHole.bind(0, '127.0.0.1', () => r()));
    const bTcp = b.transportFor('TCP')?.local.port ?? 0;
    const bUdp = b.transportFor('UDP')?.local.port ?? 0;
    const bTls = b.transportFor('TLS')?.local.port ?? 0;
    const dead = await closedTcpPort();
    dns.set('host.test', { a: ['127.0.0.1'] });
    // NAPTR → TCP SRV: the first target refuses connections.
    dns.set('tcp-callee.test', {
      naptr: [
        {
          order: 10,
          preference: 10,
          flags: 's',
          service: 'SIP+D2T',
          regexp: '',
          replacement: '_sip._tcp.tcp-callee.test',
        },
      ],
    });
    dns.set('_sip._tcp.tcp-callee.test', {
      srv: [
        { priority: 10, weight: 0, port: dead, target: 'host.test' },
        { priority: 20, weight: 0, port: bTcp, target: 'host.test' },
      ],
    });
    // UDP SRV: the first target swallows the INVITE.
    dns.set('udp-callee.test', {});
    dns.set('_sip._udp.udp-callee.test', {
      srv: [
        { priority: 10, weight: 0, port: blackHole.address().port, target: 'host.test' },
        { priority: 20, weight: 0, port: bUdp, target: 'host.test' },
      ],
    });
    // SIPS: TLS only, and the certificate must say secure.test.
    dns.set('secure.test', {});
    dns.set('_sips._tcp.secure.test', {
      srv: [{ priority: 10, weight: 0, port: bTls, target: 'host.test' }],
    });
    dns.set('wrong-name.test', {});
    dns.set('_sips._tcp.wrong-name.test', {
      srv: [{ priority: 10, weight: 0, port: bTls, target: 'host.test' }],
    });
    dns.set('all-dead.test', {});
    dns.set('_sip._tcp.all-dead.test', {
      srv: [{ priority: 10, weight: 0, port: dead, target: 'host.test' }],
    });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await dns?.close();
    blackHole.close();
    cert?.dispose();
  });

  async function answered(uri: string) {
    const call = await a.inviteLocated({ uri, sdp: OFFER });
    const sdp = await new Promise<string | undefined>((resolve, reject) => {
      call.once('answered', resolve);
      call.once('ended', (e) => reject(new Error(`ended: ${JSON.stringify(e)}`)));
    });
    assert.equal(sdp, ANSWER);
    const end = new Promise<SessionEnd>((r) => call.once('ended', r));
    call.bye();
    assert.equal((await end).reason, 'bye');
    return call;
  }

  test('NAPTR → SRV: a refused TCP target is skipped before the INVITE leaves', async () => {
    dns.questions.length = 0;
    const before = invites;
    const call = await answered('sip:bob@tcp-callee.test');
    assert.match(call.request.headers.get('via') ?? '', /^SIP\/2\.0\/TCP /);
    assert.equal(invites - before, 1);
    assert.deepEqual(dns.questions.slice(0, 2), [
      'NAPTR tcp-callee.test',
      'SRV _sip._tcp.tcp-callee.test',
    ]);
  });

  test('UDP: a target that never answers times out (Timer B) and the INVITE moves on', async () => {
    const got: number[] = [];
    const onPacket = () => got.push(1);
    blackHole.on('message', onPacket);
    try {
      const call = await answered('sip:bob@udp-callee.test');
      assert.ok(got.length >= 1, 'the silent target saw the INVITE first');
      // Same Call-ID and CSeq, new branch: a new transaction (§4.3).
      assert.match(call.request.headers.get('via') ?? '', /^SIP\/2\.0\/UDP /);
      assert.equal(call.request.cseq.seq, 1);
    } finally {
      blackHole.off('message', onPacket);
    }
  });

  test('sips: TLS to the SRV target, certificate checked against the URI domain', async () => {
    const call = await answered('sips:bob@secure.test');
    assert.match(call.request.headers.get('via') ?? '', /^SIP\/2\.0\/TLS /);
    await assert.rejects(
      a.inviteLocated({ uri: 'sips:bob@wrong-name.test', sdp: OFFER }),
      /could be reached/,
    );
  });

  test('nothing reachable or nothing found: inviteLocated rejects with a clear error', async () => {
    await assert.rejects(
      a.inviteLocated({ uri: 'sip:bob@all-dead.test', sdp: OFFER }),
      /could be reached \(1 tried\)/,
    );
    await assert.rejects(
      a.inviteLocated({ uri: 'sip:bob@unknown.test', sdp: OFFER }),
      /DNS found no server/,
    );
  });

  test('locate() on the endpoint lists what a REGISTER could use', async () => {
    const targets = await a.locate('sip:tcp-callee.test');
    assert.deepEqual(
      targets.map((t) => t.transport),
      ['TCP', 'TCP'],
    );
  });
});
