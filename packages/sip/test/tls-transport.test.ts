/**
 * SIP over TLS on 127.0.0.1 with a self-signed certificate made by `openssl` at test time:
 * transport framing and reuse, certificate checks, bad input, and calls between endpoints.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import {
  createResponse,
  isLoopback,
  parseMessage,
  type SessionEnd,
  SipEndpoint,
  type SipRequest,
  type SipResponse,
  SipStreamFramer,
  systemClock,
  TlsTransport,
  TransactionLayer,
} from '../src/index.ts';
import { ANSWER, OFFER } from './support/endpoint-pair.ts';
import {
  makeTestCertificate,
  OPENSSL_SKIP,
  type TestCertificate,
} from './support/test-certificate.ts';

function options(n: number, via: string): string {
  return [
    'OPTIONS sip:bob@127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/TLS ${via};branch=z9hG4bK-tls-${n};rport`,
    'Max-Forwards: 70',
    'To: <sip:bob@127.0.0.1>',
    `From: <sip:alice@127.0.0.1>;tag=t${n}`,
    `Call-ID: tls-${n}@127.0.0.1`,
    `CSeq: ${n} OPTIONS`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('SIP over TLS', { skip: OPENSSL_SKIP, timeout: 30_000 }, () => {
  let cert: TestCertificate;
  let server: TlsTransport;
  const seen: SipRequest[] = [];
  const errors: string[] = [];
  const layer = new TransactionLayer({ clock: systemClock });

  before(async () => {
    cert = makeTestCertificate(['sip.test']);
    server = await TlsTransport.listen(
      { host: '127.0.0.1', port: 0, cert: cert.cert, key: cert.key, allowDestination: isLoopback },
      {
        onRequest: (req, _peer, reply) => {
          seen.push(req);
          if (layer.receiveRequest(req)) return;
          layer
            .createServerTransaction(req, reply, {})
            .respond(createResponse(req, 200, { toTag: 's' }));
        },
        onResponse: () => {},
        onConnectionError: (_peer, err) => errors.push(err.message),
      },
    );
  });
  after(async () => {
    await server?.close();
    cert?.dispose();
  });

  async function client(extra: { ca?: string; rejectUnauthorized?: boolean } = { ca: cert.cert }) {
    const clientLayer = new TransactionLayer({ clock: systemClock });
    const transport = await TlsTransport.listen(
      {
        host: '127.0.0.1',
        port: 0,
        cert: cert.cert,
        key: cert.key,
        allowDestination: isLoopback,
        ...extra,
      },
      { onRequest: () => {}, onResponse: (r) => clientLayer.receiveResponse(r) },
    );
    const ask = (n: number, serverName?: string) =>
      new Promise<SipResponse>((resolve, reject) => {
        const req = parseMessage(
          options(n, `${transport.local.address}:${transport.local.port}`),
        ) as SipRequest;
        clientLayer.sendRequest(req, transport.channel({ ...server.local, serverName }), {
          onResponse: resolve,
          onTimeout: () => reject(new Error('timeout')),
        });
      });
    return { transport, ask };
  }

  test('requests and responses over one reused connection; Via gets received/rport', async () => {
    const { transport, ask } = await client();
    try {
      const before = seen.length;
      assert.equal((await ask(1, 'sip.test')).status, 200);
      assert.equal((await ask(2, 'sip.test')).status, 200);
      assert.equal(transport.connectionCount, 1);
      assert.equal(seen.length - before, 2);
      const via = seen.at(-1)?.headers.get('via') ?? '';
      assert.match(
        via,
        /^SIP\/2\.0\/TLS 127\.0\.0\.1:\d+;branch=z9hG4bK-tls-2;rport=\d+;received=127\.0\.0\.1$/,
      );
      // The rport is the client's ephemeral source port, not its listening port.
      assert.notEqual(Number(/rport=(\d+)/.exec(via)?.[1]), transport.local.port);
    } finally {
      await transport.close();
    }
  });

  test('connect() checks the certificate: untrusted and wrong names are refused', async () => {
    const untrusted = await client({});
    const trusted = await client();
    try {
      await assert.rejects(untrusted.transport.connect(server.local), /no connection/);
      await assert.rejects(
        trusted.transport.connect({ ...server.local, serverName: 'other.test' }),
        /no connection/,
      );
      await trusted.transport.connect({ ...server.local, serverName: 'sip.test' });
      // Without a name the IP address must be in the certificate (it is: IP:127.0.0.1).
      await trusted.transport.connect({ ...server.local });
      const unchecked = await client({ rejectUnauthorized: false });
      await unchecked.transport.connect(server.local);
      await unchecked.transport.close();
    } finally {
      await untrusted.transport.close();
      await trusted.transport.close();
    }
  });

  test('a peer that accepts TCP but never completes the handshake times out', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const transport = await TlsTransport.listen(
      {
        host: '127.0.0.1',
        port: 0,
        ca: cert.cert,
        connectTimeoutMs: 300,
        allowDestination: isLoopback,
      },
      { onRequest: () => {}, onResponse: () => {} },
    );
    try {
      await assert.rejects(transport.connect({ address: '127.0.0.1', port }), /no connection/);
      assert.equal(transport.connectionCount, 0);
    } finally {
      await transport.close();
      silent.close();
    }
  });

  test('a bad request gets 400 on the same connection, which stays usable', async () => {
    const socket = connect({
      host: '127.0.0.1',
      port: server.local.port,
      ca: cert.cert,
      servername: 'sip.test',
    });
    await once(socket, 'secureConnect');
    const framer = new SipStreamFramer();
    const got: SipResponse[] = [];
    const two = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        for (const out of framer.push(chunk))
          if (out.kind === 'message') got.push(out.message as SipResponse);
        if (got.length >= 2) resolve();
      });
    });
    socket.write(options(7, '127.0.0.1:1').replace('Via: SIP/2.0/TLS', 'Via: SIP/2.0/TLS @@@'));
    socket.write(options(8, '127.0.0.1:1'));
    await two;
    socket.destroy();
    assert.deepEqual(
      got.map((r) => r.status),
      [400, 200],
    );
    assert.match(got[0]?.reason ?? '', /Via/);
  });

  test('plain TCP to the TLS port is refused at the handshake, without a crash', async () => {
    const { connect: tcpConnect } = await import('node:net');
    const s = tcpConnect({ host: '127.0.0.1', port: server.local.port });
    await once(s, 'connect');
    s.write(options(9, '127.0.0.1:1'));
    await once(s, 'close');
    assert.ok(errors.length > 0);
  });
});

describe('SipEndpoint calls over TLS', { skip: OPENSSL_SKIP, timeout: 30_000 }, () => {
  let cert: TestCertificate;
  let a: SipEndpoint;
  let b: SipEndpoint;
  before(async () => {
    cert = makeTestCertificate(['sip.test']);
    const tls = { port: 0, cert: cert.cert, key: cert.key, ca: cert.cert };
    const opts = { host: '127.0.0.1', port: 0, allowDestination: isLoopback, tls };
    a = await SipEndpoint.listen(opts, { user: 'alice' });
    b = await SipEndpoint.listen(opts, { user: 'bob' });
    b.on('invite', (s) => {
      s.ring();
      s.accept(ANSWER);
      if (s.request.uriText.includes('hangup')) s.once('confirmed', () => s.bye());
    });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    cert?.dispose();
  });

  const tlsPort = (ep: SipEndpoint) => ep.transportFor('TLS')?.local.port;

  test('a call over TLS, BYE from the caller; Via and Contact say TLS', async () => {
    let inviteVia = '';
    b.once('invite', (s) => {
      inviteVia = s.request.headers.get('via') ?? '';
    });
    const call = a.invite({ uri: `sip:bob@127.0.0.1:${tlsPort(b)};transport=tls`, sdp: OFFER });
    assert.equal(await new Promise((res) => call.once('answered', res)), ANSWER);
    assert.match(inviteVia, /^SIP\/2\.0\/TLS 127\.0\.0\.1:\d+;.*received=127\.0\.0\.1/);
    assert.match(call.request.headers.get('contact') ?? '', /;transport=tls>$/);
    const end = new Promise<SessionEnd>((res) => call.once('ended', res));
    call.bye();
    assert.deepEqual(await end, { reason: 'bye', by: 'local' });
  });

  test("the callee's BYE comes back over the caller's TLS connection", async () => {
    const call = a.invite({ uri: `sip:hangup@127.0.0.1:${tlsPort(b)};transport=tls`, sdp: OFFER });
    const end = await new Promise<SessionEnd>((res) => call.once('ended', res));
    assert.deepEqual(end, { reason: 'bye', by: 'remote' });
  });
});
