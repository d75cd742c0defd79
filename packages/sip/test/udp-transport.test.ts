/** Real UDP sockets, loopback only: every transport here refuses non-loopback peers. */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import {
  createResponse,
  isLoopback,
  isUnsafeDestination,
  parseMessage,
  parseVia,
  responseDestination,
  type SipRequest,
  type SipResponse,
  SipStackError,
  serializeMessage,
  systemClock,
  TransactionLayer,
  UdpTransport,
} from '../src/index.ts';
import { RFC4475_SKIP, readVector } from './support/rfc4475-dir.ts';

const loopbackOnly = { allowDestination: isLoopback };

function options(
  from: { address: string; port: number },
  to: { address: string; port: number },
  n: number,
): SipRequest {
  return parseMessage(
    [
      `OPTIONS sip:svc@${to.address}:${to.port} SIP/2.0`,
      `Via: SIP/2.0/UDP ${from.address}:${from.port};branch=z9hG4bK-udp-${n};rport`,
      'Max-Forwards: 70',
      `To: <sip:svc@${to.address}>`,
      `From: <sip:t@${from.address}>;tag=u${n}`,
      `Call-ID: udp-${n}@127.0.0.1`,
      `CSeq: ${n} OPTIONS`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ) as SipRequest;
}

test('OPTIONS over real UDP on 127.0.0.1 through both transaction layers', async () => {
  const serverLayer = new TransactionLayer({ clock: systemClock });
  const seenVias: string[] = [];
  const uas = await UdpTransport.open(
    { host: '127.0.0.1', port: 0, ...loopbackOnly },
    {
      onRequest: (req, _source, reply) => {
        if (serverLayer.receiveRequest(req)) return;
        seenVias.push(req.headers.get('via') ?? '');
        const tx = serverLayer.createServerTransaction(req, reply, {});
        tx.respond(createResponse(req, 200, { toTag: 'srv' }));
      },
      onResponse: () => assert.fail('server got a response'),
    },
  );
  const clientLayer = new TransactionLayer({ clock: systemClock });
  const uac = await UdpTransport.open(
    { host: '127.0.0.1', port: 0, ...loopbackOnly },
    {
      onRequest: () => assert.fail('client got a request'),
      onResponse: (res) => clientLayer.receiveResponse(res),
    },
  );
  try {
    const got = new Promise<SipResponse>((resolve, reject) => {
      clientLayer.sendRequest(options(uac.local, uas.local, 1), uac.channel(uas.local), {
        onResponse: resolve,
        onTimeout: () => reject(new Error('timeout')),
        onTransportError: reject,
      });
    });
    const res = await got;
    assert.equal(res.status, 200);
    assert.equal(res.to.params.get('tag'), 'srv');
    // RFC 3581: the server filled rport and received from the packet's source.
    assert.match(seenVias[0]!, new RegExp(`;rport=${uac.local.port};received=127\\.0\\.0\\.1$`));
  } finally {
    await uac.close();
    await uas.close();
    await uas.close(); // idempotent
  }
});

test('a malformed request is answered statelessly with 400 at its source', async () => {
  const discarded: string[] = [];
  const uas = await UdpTransport.open(
    { host: '127.0.0.1', port: 0, ...loopbackOnly },
    {
      onRequest: () => assert.fail('must not reach the TU'),
      onResponse: () => {},
      onDiscard: (v) => discarded.push(v.kind),
    },
  );
  const raw = createSocket('udp4');
  raw.bind(0, '127.0.0.1');
  await once(raw, 'listening');
  try {
    const port = raw.address().port;
    const req = options({ address: '127.0.0.1', port }, uas.local, 2);
    req.headers.set('CSeq', 'not-a-number OPTIONS');
    raw.send(serializeMessage(req), uas.local.port, '127.0.0.1');
    const [data] = (await once(raw, 'message')) as [Buffer];
    const res = parseMessage(data);
    assert.ok(res.kind === 'response');
    assert.equal(res.status, 400);
    assert.equal(res.reason, 'Bad CSeq Header');
    assert.deepEqual(discarded, ['reject']);
  } finally {
    raw.close();
    await uas.close();
  }
});

test('destinations outside policy, broadcast and multicast are refused before sending', async () => {
  const t = await UdpTransport.open(
    { host: '127.0.0.1', port: 0, ...loopbackOnly },
    { onRequest() {}, onResponse() {} },
  );
  try {
    const msg = options(t.local, t.local, 3);
    for (const address of ['192.0.2.1', '255.255.255.255', '224.0.0.1', '0.0.0.0']) {
      assert.throws(() => t.send(msg, { address, port: 5060 }), SipStackError, address);
    }
  } finally {
    await t.close();
  }
  assert.equal(isUnsafeDestination('127.0.0.1'), false);
  assert.equal(isUnsafeDestination('ff02::1'), true);
});

test('response routing per §18.2.2 and RFC 3581', { skip: RFC4475_SKIP }, () => {
  assert.deepEqual(responseDestination(parseVia('SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK1')), {
    address: '127.0.0.1',
    port: 5099,
  });
  assert.deepEqual(
    responseDestination(
      parseVia('SIP/2.0/UDP host.invalid;branch=z9hG4bK1;received=127.0.0.2;rport=6000'),
    ),
    { address: '127.0.0.2', port: 6000 },
  );
  assert.equal(
    responseDestination(parseVia('SIP/2.0/UDP host.invalid;branch=z9hG4bK1')),
    undefined,
  );
  // RFC 4475 bcast: the second Via names the broadcast address; we would never send there.
  const bcast = parseMessage(readVector('bcast'));
  const dest = responseDestination(bcast.vias[1]!);
  assert.ok(dest !== undefined && isUnsafeDestination(dest.address));
});
