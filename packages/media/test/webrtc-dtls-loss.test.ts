/**
 * DTLS final-flight loss (RFC 6347 §4.2.4): our last flight (ChangeCipherSpec, Finished)
 * is lost; the client repeats its flight and we — already connected — must send ours
 * again. werift's DtlsServer does not; WebRtcTransport does. The client is werift's
 * RTCPeerConnection, in this process, talking to a WebRtcTransport whose socket drops
 * our first final flight.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, type TestContext, test } from 'node:test';
import { dtlsCertificate } from '../src/webrtc/dtls-certificate.ts';
import { answerWebRtcOffer } from '../src/webrtc/webrtc-sdp.ts';
import { WebRtcTransport } from '../src/webrtc/webrtc-transport.ts';
import { weriftPcmuPeer } from './support/webrtc-peers.ts';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const waitFor = async (what: string, ok: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Our flight 6 on the wire: a ChangeCipherSpec record, or a handshake record at epoch 1. */
function isFinalFlight(d: Uint8Array): boolean {
  return d[0] === 20 || (d[0] === 22 && (d[3] !== 0 || d[4] !== 0));
}

/** A transport whose socket drops our first final flight (both of its datagrams). */
async function lossyLeg() {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  let toDrop = 2;
  let dropped = 0;
  const send = socket.send.bind(socket) as (...a: unknown[]) => void;
  (socket as unknown as { send: (...a: unknown[]) => void }).send = (...a: unknown[]) => {
    const d = a[0] as Uint8Array;
    if (toDrop > 0 && d[0]! >= 20 && d[0]! <= 63 && isFinalFlight(d)) {
      toDrop--;
      dropped++;
      return;
    }
    send(...a);
  };
  const certificate = await dtlsCertificate();
  const transport = new WebRtcTransport(socket, certificate);
  cleanups.push(() => transport.close());
  return { transport, certificate, port: socket.address().port, dropped: () => dropped };
}

function weriftPeer() {
  const { pc } = weriftPcmuPeer();
  cleanups.push(() => pc.close());
  const dtlsErrors: unknown[] = [];
  return { pc, dtlsErrors };
}

/**
 * werift's DTLS client fails the connection when a second HelloVerifyRequest arrives in
 * flight 3 (its bug; see webrtc-leg.test.ts, isWeriftDuplicateHelloVerifyFailure): that
 * one failure, demonstrated by werift's error and our count, is retried.
 */
function weriftDuplicateHelloVerify(errors: unknown[], helloVerifyRequests: number): boolean {
  const fromFlight3 = errors.some(
    (e) => e instanceof Error && /Flight3\.exec|flight3\.js/.test(e.stack ?? ''),
  );
  return fromFlight3 && helloVerifyRequests >= 2;
}

test('a lost final flight is sent again when the client repeats its own', async (t: TestContext) => {
  for (let attempt = 1; ; attempt++) {
    const leg = await lossyLeg();
    const browser = weriftPeer();
    await browser.pc.setLocalDescription(await browser.pc.createOffer());
    for (const dt of browser.pc.dtlsTransports) {
      dt.onStateChange.subscribe((state) => {
        if (state === 'connecting') {
          queueMicrotask(() => dt.dtls?.onError.subscribe((e) => browser.dtlsErrors.push(e)));
        }
      });
    }
    const answer = answerWebRtcOffer(browser.pc.localDescription!.sdp, {
      address: '127.0.0.1',
      port: leg.port,
      iceUfrag: leg.transport.ice.localUfrag,
      icePwd: leg.transport.ice.localPassword,
      fingerprint: leg.certificate.fingerprint,
      sessionId: 1,
      ssrc: 1234,
      cname: 'loss',
    });
    assert.ok(answer.ok);
    leg.transport.setRemote(answer.remote.iceUfrag, answer.remote.fingerprints);
    await browser.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await waitFor('werift connected or failed', () =>
      ['connected', 'failed'].includes(browser.pc.connectionState),
    );
    const ours = leg.transport.stats();
    const state = `werift ${browser.pc.connectionState}, ours ${JSON.stringify(ours)}, dropped ${leg.dropped()}`;
    if (browser.pc.connectionState === 'connected') {
      assert.equal(leg.dropped(), 2, state);
      assert.equal(ours.state, 'connected', state);
      assert.ok(ours.dtlsRetransmits >= 1, state);
      return;
    }
    if (
      attempt >= 3 ||
      !weriftDuplicateHelloVerify(browser.dtlsErrors, ours.dtlsHelloVerifyRequests)
    ) {
      assert.fail(`the werift peer did not connect (${state})`);
    }
    t.diagnostic(
      `attempt ${attempt}: werift's duplicate-HelloVerifyRequest failure; retrying (${state})`,
    );
    await browser.pc.close();
    leg.transport.close();
  }
});
