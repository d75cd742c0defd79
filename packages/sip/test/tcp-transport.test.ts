/** Real TCP sockets, loopback only. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import {
  createResponse,
  isLoopback,
  parseMessage,
  type SipRequest,
  type SipResponse,
  SipStackError,
  SipStreamFramer,
  systemClock,
  TcpTransport,
  TransactionLayer,
} from '../src/index.ts';

function register(
  from: { address: string; port: number },
  n: number,
  contentLength = true,
): string {
  return [
    `REGISTER sip:127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/TCP ${from.address}:${from.port};branch=z9hG4bK-tcp-${n}`,
    'Max-Forwards: 70',
    'To: <sip:op1@127.0.0.1>',
    `From: <sip:op1@127.0.0.1>;tag=t${n}`,
    `Call-ID: tcp-${n}@127.0.0.1`,
    `CSeq: ${n} REGISTER`,
    ...(contentLength ? ['Content-Length: 0'] : []),
    '',
    '',
  ].join('\r\n');
}

async function echoServer() {
  const layer = new TransactionLayer({ clock: systemClock });
  const seen: SipRequest[] = [];
  const server = await TcpTransport.listen(
    { host: '127.0.0.1', port: 0, allowDestination: isLoopback },
    {
      onRequest: (req, _peer, reply) => {
        seen.push(req);
        if (layer.receiveRequest(req)) return;
        layer
          .createServerTransaction(req, reply, {})
          .respond(createResponse(req, 200, { toTag: 's' }));
      },
      onResponse: () => {},
    },
  );
  return { server, seen };
}

test('REGISTER over TCP between two transports and transaction layers', async () => {
  const { server, seen } = await echoServer();
  const layer = new TransactionLayer({ clock: systemClock });
  const client = await TcpTransport.listen(
    { host: '127.0.0.1', port: 0, allowDestination: isLoopback },
    { onRequest: () => {}, onResponse: (r) => layer.receiveResponse(r) },
  );
  try {
    const res = await new Promise<SipResponse>((resolve, reject) => {
      const req = parseMessage(register(client.local, 1)) as SipRequest;
      layer.sendRequest(req, client.channel(server.local), {
        onResponse: resolve,
        onTimeout: () => reject(new Error('timeout')),
      });
    });
    assert.equal(res.status, 200);
    assert.equal(seen.length, 1);
    assert.equal(client.connectionCount, 1);
  } finally {
    await client.close();
    await server.close();
  }
});

test('a stream split into tiny chunks with CRLF keep-alives is framed correctly', async () => {
  const { server, seen } = await echoServer();
  const sock = connect(server.local.port, '127.0.0.1');
  await once(sock, 'connect');
  try {
    const local = { address: '127.0.0.1', port: sock.localPort ?? 0 };
    const bytes = Buffer.from(`\r\n\r\n${register(local, 2)}${register(local, 3)}`);
    for (let i = 0; i < bytes.length; i += 7) sock.write(bytes.subarray(i, i + 7));
    const framer = new SipStreamFramer();
    const responses: number[] = [];
    while (responses.length < 2) {
      const [chunk] = (await once(sock, 'data')) as [Buffer];
      for (const o of framer.push(chunk))
        if (o.kind === 'message' && o.message.kind === 'response') responses.push(o.message.status);
    }
    assert.deepEqual(responses, [200, 200]);
    assert.deepEqual(
      seen.map((r) => r.cseq.seq),
      [2, 3],
    );
  } finally {
    sock.destroy();
    await server.close();
  }
});

test('a request without Content-Length on a stream gets 400 and the connection is closed', async () => {
  const { server, seen } = await echoServer();
  const sock = connect(server.local.port, '127.0.0.1');
  await once(sock, 'connect');
  try {
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    const closed = once(sock, 'end');
    sock.write(register({ address: '127.0.0.1', port: sock.localPort ?? 0 }, 4, false));
    await closed;
    const res = parseMessage(Buffer.concat(chunks));
    assert.ok(res.kind === 'response');
    assert.equal(res.status, 400);
    assert.equal(seen.length, 0);
  } finally {
    sock.destroy();
    await server.close();
  }
});

test('TCP refuses destinations outside the policy', async () => {
  const t = await TcpTransport.listen(
    { host: '127.0.0.1', port: 0, allowDestination: isLoopback },
    { onRequest() {}, onResponse() {} },
  );
  try {
    const msg = parseMessage(register(t.local, 5));
    assert.throws(() => t.send(msg, { address: '192.0.2.10', port: 5060 }), SipStackError);
    assert.throws(() => t.send(msg, { address: '255.255.255.255', port: 5060 }), SipStackError);
    assert.equal(t.connectionCount, 0);
  } finally {
    await t.close();
    await t.close();
  }
});
