/**
 * RFC 3263 server location against a real DNS server of our own on 127.0.0.1
 * (support/dns-server.ts): node:dns Resolver asks it NAPTR, SRV, A and AAAA questions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { orderSrv, ServerLocator, SipStackError } from '../src/index.ts';
import { TestDnsServer } from './support/dns-server.ts';

describe('RFC 3263 server location over loopback DNS', { timeout: 30_000 }, () => {
  let dns: TestDnsServer;
  let locator: ServerLocator;
  const targets = async (uri: string, l = locator) =>
    (await l.locate(uri)).map((t) => `${t.transport} ${t.address}:${t.port}`);

  before(async () => {
    dns = await TestDnsServer.start();
    locator = new ServerLocator({ servers: [dns.address], timeoutMs: 500, tries: 1 });
    // NAPTR → SRV → A for every transport (RFC 3263 §4.1 example, shortened).
    dns.set('example.test', {
      naptr: [
        {
          order: 50,
          preference: 50,
          flags: 's',
          service: 'SIP+D2U',
          regexp: '',
          replacement: '_sip._udp.example.test',
        },
        {
          order: 10,
          preference: 50,
          flags: 's',
          service: 'SIPS+D2T',
          regexp: '',
          replacement: '_sips._tcp.example.test',
        },
        {
          order: 20,
          preference: 50,
          flags: 's',
          service: 'SIP+D2T',
          regexp: '',
          replacement: '_sip._tcp.example.test',
        },
        {
          order: 5,
          preference: 10,
          flags: 's',
          service: 'SIP+D2X',
          regexp: '',
          replacement: '_sip._x.example.test',
        },
      ],
      a: ['127.0.0.99'],
    });
    dns.set('_sips._tcp.example.test', {
      srv: [{ priority: 0, weight: 0, port: 5061, target: 'tls.example.test' }],
    });
    dns.set('_sip._tcp.example.test', {
      srv: [{ priority: 0, weight: 0, port: 5060, target: 'tcp.example.test' }],
    });
    dns.set('_sip._udp.example.test', {
      srv: [
        { priority: 20, weight: 0, port: 5070, target: 'backup.example.test' },
        { priority: 10, weight: 0, port: 5060, target: 'udp.example.test' },
      ],
    });
    dns.set('tls.example.test', { a: ['127.0.0.11'] });
    dns.set('tcp.example.test', { a: ['127.0.0.12'], aaaa: ['::1'] });
    dns.set('udp.example.test', { a: ['127.0.0.13'] });
    dns.set('backup.example.test', { a: ['127.0.0.14'] });
    // No NAPTR: SRV only.
    dns.set('srv-only.test', {});
    dns.set('_sip._tcp.srv-only.test', {
      srv: [{ priority: 1, weight: 1, port: 5080, target: 'udp.example.test' }],
    });
    dns.set('_sip._udp.srv-only.test', {
      srv: [{ priority: 1, weight: 1, port: 5090, target: 'udp.example.test' }],
    });
    // Neither NAPTR nor SRV: A records.
    dns.set('plain.test', { a: ['127.0.0.21', '127.0.0.22'] });
    // SRV "." : service decidedly not offered (RFC 2782).
    dns.set('_sip._udp.nothing.test', { srv: [{ priority: 0, weight: 0, port: 0, target: '.' }] });
    dns.set('nothing.test', {});
  });
  after(async () => {
    await dns?.close();
  });

  test('NAPTR order, then SRV priority, then A/AAAA; unknown services ignored', async () => {
    assert.deepEqual(await targets('sip:alice@example.test'), [
      'TLS 127.0.0.11:5061',
      'TCP 127.0.0.12:5060',
      'TCP ::1:5060',
      'UDP 127.0.0.13:5060',
      'UDP 127.0.0.14:5070',
    ]);
  });

  test('only transports we have; the certificate name is the URI domain', async () => {
    const udpOnly = new ServerLocator({
      servers: [dns.address],
      transports: ['UDP'],
      timeoutMs: 500,
      tries: 1,
    });
    assert.deepEqual(await targets('sip:example.test', udpOnly), [
      'UDP 127.0.0.13:5060',
      'UDP 127.0.0.14:5070',
    ]);
    const [tls] = await locator.locate('sip:example.test');
    assert.equal(tls?.serverName, 'example.test');
  });

  test('sips forces TLS; sips over UDP is refused', async () => {
    assert.deepEqual(await targets('sips:bob@example.test'), ['TLS 127.0.0.11:5061']);
    assert.deepEqual(await targets('sips:bob@plain.test'), [
      'TLS 127.0.0.21:5061',
      'TLS 127.0.0.22:5061',
    ]);
    assert.deepEqual(await targets('sips:bob@example.test;transport=tcp'), ['TLS 127.0.0.11:5061']);
    await assert.rejects(locator.locate('sips:bob@example.test;transport=udp'), SipStackError);
  });

  test('without NAPTR: SRV for each transport we support, in our order', async () => {
    assert.deepEqual(await targets('sip:srv-only.test'), [
      'UDP 127.0.0.13:5090',
      'TCP 127.0.0.13:5080',
    ]);
  });

  test('a transport parameter asks SRV for that transport only', async () => {
    dns.questions.length = 0;
    assert.deepEqual(await targets('sip:srv-only.test;transport=tcp'), ['TCP 127.0.0.13:5080']);
    assert.ok(!dns.questions.some((q) => q.startsWith('NAPTR')), dns.questions.join(', '));
  });

  test('neither NAPTR nor SRV: A records on 5060 over UDP', async () => {
    assert.deepEqual(await targets('sip:plain.test'), [
      'UDP 127.0.0.21:5060',
      'UDP 127.0.0.22:5060',
    ]);
  });

  test('numeric hosts ask nothing; an explicit port asks only A/AAAA', async () => {
    dns.questions.length = 0;
    assert.deepEqual(await targets('sip:127.0.0.5'), ['UDP 127.0.0.5:5060']);
    assert.deepEqual(await targets('sips:[::1]'), ['TLS ::1:5061']);
    assert.deepEqual(await targets('sip:127.0.0.5:5099;transport=tcp'), ['TCP 127.0.0.5:5099']);
    assert.deepEqual(dns.questions, []);
    assert.deepEqual(await targets('sip:plain.test:5099'), [
      'UDP 127.0.0.21:5099',
      'UDP 127.0.0.22:5099',
    ]);
    assert.deepEqual(dns.questions, ['A plain.test', 'AAAA plain.test']);
  });

  test('maddr overrides the host', async () => {
    assert.deepEqual(await targets('sip:bob@example.test;maddr=127.0.0.7'), ['UDP 127.0.0.7:5060']);
  });

  test('nothing found: a transport error; "." SRV means no service', async () => {
    await assert.rejects(locator.locate('sip:nowhere.test'), /DNS found no server/);
    await assert.rejects(locator.locate('sip:nothing.test;transport=udp'), /DNS found no server/);
    await assert.rejects(locator.locate('tel:+81312345678'), /not a SIP URI/);
  });

  test('a silent DNS server times out into "not found", not a hang', async () => {
    dns.silent.add('silent.test');
    await assert.rejects(locator.locate('sip:silent.test'), /DNS found no server/);
  });
});

test('RFC 2782 ordering: priority first, then weighted draws', () => {
  const records = [
    { name: 'c', port: 3, priority: 20, weight: 5 },
    { name: 'a', port: 1, priority: 10, weight: 10 },
    { name: 'z', port: 9, priority: 10, weight: 0 },
    { name: 'b', port: 2, priority: 10, weight: 90 },
    { name: '.', port: 0, priority: 0, weight: 0 },
  ];
  // Draw 0 picks the zero-weight record first; a draw at the top end picks the heaviest.
  assert.deepEqual(
    orderSrv(records, () => 0).map((r) => r.name),
    ['z', 'a', 'b', 'c'],
  );
  assert.deepEqual(
    orderSrv(records, () => 0.999).map((r) => r.name),
    ['b', 'a', 'z', 'c'],
  );
  // Over many draws the first pick follows the weights (90 : 10 : 0).
  let seed = 7;
  const lcg = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const firsts: Record<string, number> = {};
  for (let i = 0; i < 2000; i++) {
    const first = orderSrv(records, lcg)[0]?.name ?? '';
    firsts[first] = (firsts[first] ?? 0) + 1;
  }
  assert.ok((firsts.b ?? 0) > 1600 && (firsts.b ?? 0) < 1990, JSON.stringify(firsts));
  assert.ok((firsts.a ?? 0) > 100, JSON.stringify(firsts));
  assert.equal(firsts.c, undefined);
});
