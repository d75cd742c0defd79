/**
 * SIP over WebSocket (RFC 7118) against real WebSocket clients on 127.0.0.1: Node's global
 * WebSocket (undici) and the `ws` package. The clients speak SIP by hand (text built
 * here, parsed with our parser); the server is a SipEndpoint with a Registrar.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocketClient from 'ws';
import {
  isLoopback,
  parseMessage,
  Registrar,
  type SessionEnd,
  SipEndpoint,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type SocketAddress,
  systemClock,
  WebSocketEndpointTransport,
} from '../src/index.ts';
import { ANSWER, OFFER } from './support/endpoint-pair.ts';
import { makeTestCertificate, OPENSSL_SKIP } from './support/test-certificate.ts';

/** A SIP UA over one WebSocket: send text, wait for parsed messages. */
class WsUa {
  readonly received: SipMessage[] = [];
  readonly #waiters: Array<{
    match: (m: SipMessage) => boolean;
    resolve: (m: SipMessage) => void;
  }> = [];
  readonly #send: (text: string | Buffer) => void;
  readonly closed: Promise<void>;

  constructor(send: (text: string | Buffer) => void, closed: Promise<void>) {
    this.#send = send;
    this.closed = closed;
  }

  push(text: string): void {
    const msg = parseMessage(text);
    this.received.push(msg);
    const i = this.#waiters.findIndex((w) => w.match(msg));
    if (i >= 0) this.#waiters.splice(i, 1)[0]?.resolve(msg);
  }

  send(text: string | Buffer): void {
    this.#send(text);
  }

  /** The next message (already received or to come) that matches. */
  next<T extends SipMessage>(match: (m: SipMessage) => boolean, ms = 5000): Promise<T> {
    const seen = this.received.findIndex(match);
    if (seen >= 0) return Promise.resolve(this.received.splice(seen, 1)[0] as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching SIP message')), ms);
      this.#waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          this.received.splice(this.received.indexOf(m), 1);
          resolve(m as T);
        },
      });
    });
  }
}

const response = (status: number, method: string) => (m: SipMessage) =>
  m.kind === 'response' && m.status === status && m.cseq.method === method;
const request = (method: string) => (m: SipMessage) => m.kind === 'request' && m.method === method;

async function globalClient(url: string, protocols: string[] = ['sip']) {
  const ws = new WebSocket(url, protocols);
  ws.binaryType = 'arraybuffer';
  const closed = new Promise<void>((resolve) => ws.addEventListener('close', () => resolve()));
  const ua = new WsUa((t) => ws.send(t), closed);
  ws.addEventListener('message', (e) =>
    ua.push(typeof e.data === 'string' ? e.data : Buffer.from(e.data as ArrayBuffer).toString()),
  );
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error('WebSocket failed')));
  });
  return { ws, ua };
}

async function wsClient(url: string) {
  const ws = new WebSocketClient(url, 'sip');
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  const ua = new WsUa((t) => ws.send(t), closed);
  ws.on('message', (data) => ua.push(String(data)));
  await once(ws, 'open');
  return { ws, ua };
}

let seq = 0;
function sipRequest(
  method: string,
  opts: {
    user: string;
    uri: string;
    callId?: string;
    cseq?: number;
    toTag?: string;
    fromTag?: string;
    body?: string;
    extra?: string[];
  },
): string {
  seq++;
  const body = opts.body ?? '';
  return [
    `${method} ${opts.uri} SIP/2.0`,
    `Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-ws-${seq};rport`,
    'Max-Forwards: 70',
    `To: <sip:${opts.user}@uketsuke.test>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
    `From: <sip:${opts.user}@uketsuke.test>;tag=${opts.fromTag ?? 'wsfrom'}`,
    `Call-ID: ${opts.callId ?? `ws-${seq}`}`,
    `CSeq: ${opts.cseq ?? 1} ${method}`,
    `Contact: <sip:${opts.user}@df7jal23ls0d.invalid;transport=ws>`,
    ...(opts.extra ?? []),
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** Answer an INVITE as a UAS would (180, then 200 with SDP). */
function answerInvite(ua: WsUa, invite: SipRequest, status: number, tag: string, body = ''): void {
  const lines = [
    `SIP/2.0 ${status} ${status === 200 ? 'OK' : 'Ringing'}`,
    ...invite.headers.getAll('via').map((v) => `Via: ${v}`),
    `From: ${invite.headers.get('from')}`,
    `To: ${invite.headers.get('to')};tag=${tag}`,
    `Call-ID: ${invite.callId}`,
    `CSeq: ${invite.headers.get('cseq')}`,
    'Contact: <sip:carol@df7jal23ls0d.invalid;transport=ws>',
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  ua.send(lines.join('\r\n'));
}

describe('SIP over WebSocket (RFC 7118)', { timeout: 30_000 }, () => {
  let ep: SipEndpoint;
  let url: string;
  const sources = new Map<string, SocketAddress>();
  const ended: SessionEnd[] = [];

  before(async () => {
    const registrar = new Registrar({ clock: systemClock });
    ep = await SipEndpoint.listen(
      { host: '127.0.0.1', port: 0, allowDestination: isLoopback, websocket: { port: 0 } },
      {
        user: 'uketsuke',
        onRequest: (req, tx, source) => {
          if (req.method === 'REGISTER')
            sources.set(req.from.uri.kind === 'sip' ? (req.from.uri.user ?? '') : '', source);
          return registrar.handles(req, tx);
        },
      },
    );
    ep.on('invite', (s) => {
      s.once('ended', (e) => ended.push(e));
      if (s.request.uriText.includes('hold')) {
        s.accept(ANSWER);
        return;
      }
      s.ring();
      s.accept(ANSWER);
    });
    url = `ws://127.0.0.1:${ep.transportFor('WS')?.local.port}`;
  });
  after(async () => {
    await ep?.close();
  });

  test('global WebSocket: REGISTER, then a call from the browser side, BYE from it', async () => {
    const { ws, ua } = await globalClient(url);
    try {
      assert.equal(ws.protocol, 'sip');
      ua.send(
        sipRequest('REGISTER', {
          user: 'alice',
          uri: 'sip:uketsuke.test',
          extra: ['Expires: 300'],
        }),
      );
      const ok = await ua.next<SipResponse>(response(200, 'REGISTER'));
      assert.match(ok.headers.get('contact') ?? '', /df7jal23ls0d\.invalid;transport=ws/);
      assert.match(ok.headers.get('via') ?? '', /;rport=\d+;received=127\.0\.0\.1/);

      ua.send(
        sipRequest('INVITE', {
          user: 'alice',
          uri: 'sip:service@uketsuke.test',
          callId: 'call-g',
          body: OFFER,
        }),
      );
      await ua.next(response(180, 'INVITE'));
      const answer = await ua.next<SipResponse>(response(200, 'INVITE'));
      assert.equal(answer.body.toString(), ANSWER);
      assert.match(answer.headers.get('contact') ?? '', /;transport=ws>/);
      const toTag = /tag=([^;>]+)/.exec(answer.headers.get('to') ?? '')?.[1] ?? '';
      const dialog = { user: 'alice', uri: 'sip:uketsuke@127.0.0.1', callId: 'call-g', toTag };
      ua.send(sipRequest('ACK', { ...dialog, extra: [] }));
      ua.send(sipRequest('BYE', { ...dialog, cseq: 2 }));
      await ua.next(response(200, 'BYE'));
      assert.deepEqual(ended.at(-1), { reason: 'bye', by: 'remote' });
    } finally {
      ws.close();
    }
  });

  test('Require: timer is honoured over WebSocket too (RFC 4028), not refused with 420', async () => {
    const { ws, ua } = await globalClient(url);
    try {
      ua.send(
        sipRequest('INVITE', {
          user: 'tim',
          uri: 'sip:service@uketsuke.test',
          callId: 'call-timer',
          body: OFFER,
          extra: ['Require: timer', 'Supported: timer', 'Session-Expires: 1800'],
        }),
      );
      const answer = await ua.next<SipResponse>(response(200, 'INVITE'));
      assert.match(answer.headers.get('session-expires') ?? '', /^1800/);
      const toTag = /tag=([^;>]+)/.exec(answer.headers.get('to') ?? '')?.[1] ?? '';
      const dialog = { user: 'tim', uri: 'sip:uketsuke@127.0.0.1', callId: 'call-timer', toTag };
      ua.send(sipRequest('ACK', { ...dialog, extra: [] }));
      ua.send(sipRequest('BYE', { ...dialog, cseq: 2 }));
      await ua.next(response(200, 'BYE'));
    } finally {
      ws.close();
    }
  });

  test('ws client: our endpoint calls the registered client over its connection', async () => {
    const { ws, ua } = await wsClient(url);
    try {
      ua.send(
        sipRequest('REGISTER', {
          user: 'carol',
          uri: 'sip:uketsuke.test',
          extra: ['Expires: 300'],
        }),
      );
      await ua.next(response(200, 'REGISTER'));
      const source = sources.get('carol');
      assert.ok(source);
      const call = ep.invite({
        uri: 'sip:carol@df7jal23ls0d.invalid;transport=ws',
        destination: source,
        transport: 'WS',
        sdp: OFFER,
      });
      const invite = await ua.next<SipRequest>(request('INVITE'));
      assert.match(invite.headers.get('via') ?? '', /^SIP\/2\.0\/WS /);
      answerInvite(ua, invite, 180, 'carol1');
      answerInvite(ua, invite, 200, 'carol1', ANSWER);
      assert.equal(await new Promise((res) => call.once('answered', res)), ANSWER);
      await ua.next(request('ACK'));
      const end = new Promise<SessionEnd>((res) => call.once('ended', res));
      call.bye();
      const bye = await ua.next<SipRequest>(request('BYE'));
      ua.send(
        [
          'SIP/2.0 200 OK',
          `Via: ${bye.headers.get('via')}`,
          `From: ${bye.headers.get('from')}`,
          `To: ${bye.headers.get('to')}`,
          `Call-ID: ${bye.callId}`,
          `CSeq: ${bye.headers.get('cseq')}`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
      assert.deepEqual(await end, { reason: 'bye', by: 'local' });
    } finally {
      ws.close();
    }
  });

  test('the "sip" subprotocol is required at the handshake', async () => {
    await assert.rejects(globalClient(url, ['chat']), /WebSocket failed/);
    const bare = new WebSocketClient(url);
    bare.on('error', () => {});
    const [, res] = await once(bare, 'unexpected-response');
    assert.equal(res.statusCode, 400);
    bare.terminate();
    const plain = await fetch(url.replace('ws:', 'http:'));
    assert.equal(plain.status, 426);
  });

  test('malformed messages get 400 or are dropped; the connection and server live on', async () => {
    const { ws, ua } = await wsClient(url);
    try {
      ua.send('hello, not SIP');
      ua.send(Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]));
      ua.send(
        sipRequest('OPTIONS', { user: 'x', uri: 'sip:uketsuke.test' }).replace(
          'Via: SIP/2.0/WS df7',
          'Via: SIP/2.0/WS @@@',
        ),
      );
      const bad = await ua.next<SipResponse>((m) => m.kind === 'response' && m.status === 400);
      assert.match(bad.reason, /Via/);
      ua.send(sipRequest('OPTIONS', { user: 'x', uri: 'sip:uketsuke.test' }));
      await ua.next(response(200, 'OPTIONS'));
      assert.equal(ua.received.length, 0, 'garbage got no answer');
    } finally {
      ws.close();
    }
    // A broken WebSocket frame (unmasked client frame, RFC 6455 §5.1) closes that connection only.
    const key = Buffer.from('0123456789abcdef').toString('base64');
    const raw = tcpConnect({ host: '127.0.0.1', port: Number(new URL(url).port) });
    await once(raw, 'connect');
    raw.write(
      `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n`,
    );
    await once(raw, 'data');
    raw.write(Buffer.from([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]));
    raw.resume();
    await once(raw, 'close');
    // An oversized message (over 1 MiB + 64 KiB) closes that connection with 1009.
    const big = await wsClient(url);
    const code = new Promise<number>((r) => big.ws.once('close', (c) => r(c)));
    big.ua.send(Buffer.alloc(2 << 20, 0x41));
    assert.equal(await code, 1009);
    const again = await wsClient(url);
    again.ua.send(sipRequest('OPTIONS', { user: 'y', uri: 'sip:uketsuke.test' }));
    await again.ua.next(response(200, 'OPTIONS'));
    again.ws.close();
  });

  test('closing the WebSocket ends the call on it', async () => {
    const { ws, ua } = await globalClient(url);
    const before = ended.length;
    ua.send(
      sipRequest('INVITE', {
        user: 'dave',
        uri: 'sip:hold@uketsuke.test',
        callId: 'call-c',
        body: OFFER,
      }),
    );
    const answer = await ua.next<SipResponse>(response(200, 'INVITE'));
    const toTag = /tag=([^;>]+)/.exec(answer.headers.get('to') ?? '')?.[1] ?? '';
    ua.send(
      sipRequest('ACK', { user: 'dave', uri: 'sip:uketsuke@127.0.0.1', callId: 'call-c', toTag }),
    );
    for (let i = 0; i < 50 && ep.sessionCount === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    ws.close();
    await ua.closed;
    for (let i = 0; i < 100 && ended.length === before; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(ended.at(-1), { reason: 'transport-error', by: 'local' });
    assert.equal(ep.sessionCount, 0);
  });
});

test('handleUpgrade: an HTTP server of our own hands WebSocket upgrades to the endpoint', async () => {
  const http = createServer((_req, res) => res.end('app'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const address = http.address();
  assert.ok(address !== null && typeof address === 'object');
  const ep = new SipEndpoint({ user: 'app' });
  const transport = WebSocketEndpointTransport.forUpgrades(
    { advertised: { address: '127.0.0.1', port: address.port } },
    ep,
    { onClose: (peer) => ep.connectionClosed(peer) },
  );
  ep.attach(transport);
  http.on('upgrade', (req, socket, head) => {
    if (req.url === '/sip') transport.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  try {
    assert.equal(await (await fetch(`http://127.0.0.1:${address.port}/`)).text(), 'app');
    const { ws, ua } = await globalClient(`ws://127.0.0.1:${address.port}/sip`);
    ua.send(sipRequest('OPTIONS', { user: 'z', uri: 'sip:app@127.0.0.1' }));
    const ok = await ua.next<SipResponse>(response(200, 'OPTIONS'));
    assert.match(ok.headers.get('allow') ?? '', /INVITE/);
    assert.equal(ep.contact, `<sip:app@127.0.0.1:${address.port};transport=ws>`);
    ws.close();
    await ua.closed;
  } finally {
    await ep.close();
    await new Promise((r) => http.close(r));
  }
});

test('wss:// listener: TLS underneath, Via and Contact say WSS / transport=ws', {
  skip: OPENSSL_SKIP,
}, async () => {
  const cert = makeTestCertificate(['sip.test']);
  const ep = await SipEndpoint.listen(
    {
      host: '127.0.0.1',
      port: 0,
      allowDestination: isLoopback,
      websocket: { port: 0, cert: cert.cert, key: cert.key },
    },
    { user: 'secure' },
  );
  try {
    const wss = ep.transportFor('WSS');
    assert.ok(wss);
    assert.equal(ep.contactFor('WSS'), `<sip:secure@127.0.0.1:${wss.local.port};transport=ws>`);
    const ws = new WebSocketClient(`wss://127.0.0.1:${wss.local.port}`, 'sip', { ca: cert.cert });
    const ua = new WsUa((t) => ws.send(t), new Promise((r) => ws.on('close', () => r())));
    ws.on('message', (data) => ua.push(String(data)));
    await once(ws, 'open');
    ua.send(
      sipRequest('OPTIONS', { user: 'w', uri: 'sip:secure@127.0.0.1' }).replace(
        'SIP/2.0/WS ',
        'SIP/2.0/WSS ',
      ),
    );
    const ok = await ua.next<SipResponse>(response(200, 'OPTIONS'));
    assert.match(ok.headers.get('via') ?? '', /^SIP\/2\.0\/WSS df7jal23ls0d\.invalid;/);
    // An untrusting client is refused at the TLS handshake.
    const untrusting = new WebSocketClient(`wss://127.0.0.1:${wss.local.port}`, 'sip');
    const [err] = await once(untrusting, 'error');
    assert.match(String(err), /self-signed|certificate/i);
    ws.close();
    await ua.closed;
  } finally {
    await ep.close();
    cert.dispose();
  }
});
