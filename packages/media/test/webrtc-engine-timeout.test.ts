/**
 * Engine wiring of the WebRTC timeouts: a leg nobody connects to ends in one
 * endpointError (MEDIA_WEBRTC_DTLS_FAILED, "not connected after …").
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MediaEngine } from '../src/index.ts';
import { unreachableBrowserOffer } from './support/webrtc-peers.ts';

const offer = unreachableBrowserOffer('peer');

test('a WebRTC leg nobody connects to ends in endpointError', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'uketsuke-webrtc-timeout-'));
  const engine = await MediaEngine.start({
    workers: 1,
    promptDir: join(dir, 'prompts'),
    prepare: false,
    webrtcTimeouts: { connectTimeoutMs: 300 },
  });
  try {
    const errors: { id: string; code: string; message: string }[] = [];
    engine.on('endpointError', (e) =>
      errors.push({ id: e.id, code: String(e.error.code), message: e.error.message }),
    );
    const web = await engine.createEndpoint({ remoteSdpOffer: offer, webrtc: true });
    const end = Date.now() + 10_000;
    while (!errors.some((e) => e.id === web.id) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    const mine = errors.filter((e) => e.id === web.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.code, 'MEDIA_WEBRTC_DTLS_FAILED');
    assert.match(mine[0]!.message, /not connected after 300 ms: no ICE check arrived/);
    assert.equal((await engine.stats(web.id)).webrtc?.state, 'failed');
    await engine.destroy(web.id);
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
});
