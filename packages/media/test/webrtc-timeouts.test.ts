/**
 * A WebRTC leg that never comes up, or whose browser goes away, fails instead of hanging:
 * the connect timeout (no DTLS connection in time) and ICE consent expiry (RFC 7675
 * §5.1: no authenticated check on the selected pair for the consent timeout). The peer
 * is a raw UDP socket sending STUN checks and never a DTLS ClientHello. The timers are
 * node:test's mock timers, moved by hand (no wall-clock waits, nothing timed).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, mock, test } from 'node:test';
import { createWebRtcEndpoint } from '../src/engine/webrtc-worker-endpoint.ts';
import {
  isMediaError,
  MediaErrorCode,
  StunAttr,
  StunResponseBuilder,
  StunType,
} from '../src/index.ts';
import { dtlsCertificate } from '../src/webrtc/dtls-certificate.ts';
import {
  WebRtcTransport,
  type WebRtcTransportError,
  type WebRtcTransportOptions,
} from '../src/webrtc/webrtc-transport.ts';
import { unreachableBrowserOffer } from './support/webrtc-peers.ts';

const REMOTE_UFRAG = 'peer';

async function boundSocket(port = 0): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => {
      s.off('error', reject);
      resolve();
    });
  });
  return s;
}

const sockets: Socket[] = [];
const transports: WebRtcTransport[] = [];
afterEach(() => {
  mock.timers.reset();
  for (const s of sockets.splice(0)) s.close();
  for (const t of transports.splice(0)) t.close();
});

/**
 * Move the mock clock in 100 ms steps: one tick() does not run a timer armed by a
 * callback it ran (the consent sweep re-arms itself).
 */
function advance(ms: number): void {
  for (let left = ms; left > 0; left -= 100) mock.timers.tick(Math.min(100, left));
}

/** A transport on its own socket, with mock timers running from before it exists. */
async function leg(options: WebRtcTransportOptions) {
  const certificate = await dtlsCertificate(); // real crypto, before the clock is mocked
  mock.timers.enable({ apis: ['setTimeout'] });
  const socket = await boundSocket();
  const port = socket.address().port;
  const transport = new WebRtcTransport(socket, certificate, options);
  transports.push(transport);
  transport.setRemote(REMOTE_UFRAG, [{ algorithm: 'sha-256', value: '00:11' }]);
  const failures: WebRtcTransportError[] = [];
  transport.on('failed', (e) => failures.push(e));
  return { transport, socket, port, failures };
}

/** A browser-side socket that sends ICE checks and never starts DTLS. */
async function peer() {
  const s = await boundSocket();
  sockets.push(s);
  return s;
}

/** One authenticated Binding request (USE-CANDIDATE); resolves with the success response. */
async function check(from: Socket, transport: WebRtcTransport, port: number): Promise<void> {
  // A failed leg has closed its socket: nothing would answer.
  assert.notEqual(transport.stats().state, 'failed', 'the leg failed before this check');
  const request = new StunResponseBuilder(StunType.bindingRequest, randomBytes(12))
    .attribute(StunAttr.username, Buffer.from(`${transport.ice.localUfrag}:${REMOTE_UFRAG}`))
    .attribute(StunAttr.iceControlling, randomBytes(8))
    .attribute(StunAttr.useCandidate, Buffer.alloc(0))
    .build(transport.ice.localPassword);
  const answered = once(from, 'message');
  from.send(request, port, '127.0.0.1');
  const [response] = (await answered) as [Buffer];
  assert.equal(response.readUInt16BE(0), StunType.bindingSuccess);
}

/** The leg's socket is closed: its port can be bound again. */
async function assertPortReleased(socket: Socket, port: number): Promise<void> {
  await once(socket, 'close');
  const again = await boundSocket(port);
  again.close();
}

describe('connect timeout', () => {
  test('no ICE check at all: fails once, says so, and releases the socket', async () => {
    const { transport, socket, port, failures } = await leg({
      connectTimeoutMs: 1000,
      consentTimeoutMs: 0,
    });
    advance(999);
    assert.equal(failures.length, 0);
    assert.equal(transport.stats().state, 'new');
    advance(1);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.reason, 'connect-timeout');
    assert.match(failures[0]!.message, /not connected after 1000 ms: no ICE check arrived/);
    assert.equal(transport.stats().state, 'failed');
    assert.equal(transport.address().port, port); // still answers after the release
    await assertPortReleased(socket, port);
    advance(60_000);
    transport.close(); // the endpoint's destroy(): harmless after a failure
    assert.equal(failures.length, 1);
    assert.equal(transport.stats().state, 'failed');
  });

  test('ICE checks answered but no DTLS ClientHello: the message says which half is missing', async () => {
    const { transport, socket, port, failures } = await leg({
      connectTimeoutMs: 1000,
      consentTimeoutMs: 0,
    });
    const browser = await peer();
    await check(browser, transport, port);
    advance(1000);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.reason, 'connect-timeout');
    assert.match(failures[0]!.message, /ICE checks answered \(1\) but no DTLS ClientHello arrived/);
    await assertPortReleased(socket, port);
  });

  test('0 turns it off', async () => {
    const { transport, failures } = await leg({ connectTimeoutMs: 0, consentTimeoutMs: 0 });
    advance(3_600_000);
    assert.equal(failures.length, 0);
    transport.close();
    assert.equal(transport.stats().state, 'closed');
  });
});

describe('ICE consent (RFC 7675 §5.1)', () => {
  test('checks on the selected pair keep the leg; once they stop it fails as gone', async () => {
    const { transport, socket, port, failures } = await leg({
      connectTimeoutMs: 0,
      consentTimeoutMs: 1000,
    });
    const browser = await peer();
    await check(browser, transport, port); // selects the pair, starts consent
    // 4 × 400 ms = 1.6 s, longer than the timeout: each check renews consent.
    for (let i = 0; i < 4; i++) {
      advance(400);
      await check(browser, transport, port);
    }
    assert.equal(failures.length, 0);
    advance(1400); // the browser is gone
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.reason, 'consent-expired');
    assert.match(failures[0]!.message, /peer gone: no ICE consent check \(RFC 7675\) for 1000 ms/);
    assert.equal(transport.stats().state, 'failed');
    await assertPortReleased(socket, port);
  });

  test('checks from a pair that is not the selected one do not renew consent', async () => {
    const { transport, port, failures } = await leg({
      connectTimeoutMs: 0,
      consentTimeoutMs: 1000,
    });
    const selected = await peer();
    await check(selected, transport, port);
    // A second candidate pair, checked without USE-CANDIDATE: valid but not selected.
    const other = await peer();
    for (let i = 0; i < 8 && failures.length === 0; i++) {
      const request = new StunResponseBuilder(StunType.bindingRequest, randomBytes(12))
        .attribute(StunAttr.username, Buffer.from(`${transport.ice.localUfrag}:${REMOTE_UFRAG}`))
        .attribute(StunAttr.iceControlling, randomBytes(8))
        .build(transport.ice.localPassword);
      const answered = once(other, 'message');
      other.send(request, port, '127.0.0.1');
      await answered;
      advance(200);
    }
    assert.equal(transport.ice.selected?.port, selected.address().port);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.reason, 'consent-expired');
  });
});

test('the engine endpoint reports a leg that never connects as endpointError, once', async () => {
  const errors: { id: string; error: unknown }[] = [];
  const rtp = await boundSocket();
  const port = rtp.address().port;
  const offer = unreachableBrowserOffer(REMOTE_UFRAG);
  await dtlsCertificate();
  mock.timers.enable({ apis: ['setTimeout'] });
  const { endpoint } = await createWebRtcEndpoint({
    id: 'web-1',
    offer,
    sockets: { rtp },
    advertiseAddress: '127.0.0.1',
    sessionId: 1,
    hooks: {
      dtmf: () => {},
      latched: () => {},
      error: (id, error) => errors.push({ id, error }),
    },
    timeouts: { connectTimeoutMs: 5000 },
  });
  transports.push(endpoint.transport);
  advance(5000);
  assert.equal(errors.length, 1);
  const { id, error } = errors[0]!;
  assert.equal(id, 'web-1');
  assert.ok(isMediaError(error, MediaErrorCode.WebRtcDtlsFailed), String(error));
  assert.match(error.message, /not connected after 5000 ms: no ICE check arrived/);
  assert.equal(endpoint.stats().webrtc?.state, 'failed');
  assert.equal(endpoint.localPort, port);
  await assertPortReleased(rtp, port);
  await endpoint.close();
  assert.equal(errors.length, 1);
});
