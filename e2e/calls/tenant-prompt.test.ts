/**
 * A client's own recording replaces a system prompt on its calls (issue 4: per-tenant
 * uploaded prompts). The demo's announcement-only number 0120-000-001 plays
 * `announcement_web` on 183 early media; after デモ商事 uploads a 1 kHz tone of 1.2 s as
 * that prompt, a caller built on our SIP stack and RTP session hears exactly that tone;
 * after the upload is deleted it hears the long synthetic announcement again.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { buildAudioOffer, encodeWav, readAudioAnswer, RtpSession } from '@uketsuke/media';
import { SipEndpoint } from '@uketsuke/sip';
import { type DemoServer, startDemo } from './support/demo-server.ts';

const espeak = existsSync('/usr/bin/espeak-ng');

/** What the caller heard: loud 20 ms frames and zero crossings within them. */
interface Heard {
  loudFrames: number;
  crossingsPerSecond: number;
  finalStatus: number | undefined;
}

async function callAndListen(server: DemoServer, endpoint: SipEndpoint): Promise<Heard> {
  const rtp = await RtpSession.open({
    localAddress: '127.0.0.1',
    remoteAddress: '127.0.0.1',
    remotePort: 9,
    codec: 'PCMU',
  });
  const local = { address: '127.0.0.1', port: rtp.localPort, codecs: ['PCMU' as const] };
  let loudFrames = 0;
  let crossings = 0;
  rtp.on('audio', (samples: Int16Array) => {
    let sum = 0;
    for (const s of samples) sum += s * s;
    if (Math.sqrt(sum / samples.length) < 300) return;
    loudFrames++;
    for (let i = 1; i < samples.length; i++)
      if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  });
  try {
    const call = endpoint.invite({
      uri: `sip:0120000001@127.0.0.1:${server.sipPort}`,
      from: '<sip:09011112222@127.0.0.1>',
      sdp: buildAudioOffer(local),
    });
    call.on('ringing', (_r, sdp) => {
      if (!sdp) return;
      const answer = readAudioAnswer(sdp, local);
      if (answer.ok)
        rtp.relatch({ address: answer.audio.remoteAddress, port: answer.audio.remotePort });
    });
    const end = await new Promise<{ status?: number }>((res) => call.once('ended', res));
    return {
      loudFrames,
      crossingsPerSecond: loudFrames ? crossings / (loudFrames * 0.02) : 0,
      finalStatus: end.status,
    };
  } finally {
    rtp.close();
  }
}

describe('uploaded prompts on real calls', {
  skip: espeak ? false : 'espeak-ng is not installed: no system prompts to compare with',
  timeout: 180_000,
}, () => {
  let server: DemoServer;
  let endpoint: SipEndpoint;
  let tenantId = '';
  let cookie = '';
  let csrf = '';

  before(async () => {
    server = await startDemo({ UKETSUKE_RTP_PORTS: '35300-35399' });
    endpoint = await SipEndpoint.listen({ host: '127.0.0.1', port: 0 }, { user: 'caller' });
    const numbers = await server.api('/numbers');
    tenantId = numbers.find((n: { e164: string }) => n.e164 === '+81120000001').tenantId;
    const login = await fetch(`${server.http}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password: 'admin-demo-pass' }),
    });
    const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]!);
    cookie = cookies.join('; ');
    csrf = cookies.find((c) => c.startsWith('uketsuke_csrf='))?.split('=')[1] ?? '';
  });
  after(async () => {
    await endpoint?.close();
    await server?.close();
  });

  test('the uploaded recording plays instead of the synthetic announcement, until deleted', async () => {
    // 1.2 s of 1 kHz at 48 kHz mono: converted to 8 kHz on upload.
    const rate = 48_000;
    const tone = Int16Array.from({ length: 1.2 * rate }, (_, i) =>
      Math.round(10_000 * Math.sin((2 * Math.PI * 1000 * i) / rate)),
    );
    const url = `${server.http}/api/v1/tenants/${tenantId}/prompts/announcement_web`;
    const up = await fetch(url, {
      method: 'PUT',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'audio/wav' },
      body: encodeWav(tone, { sampleRate: rate, channels: 1 }),
    });
    assert.equal(up.status, 200, await up.text());

    const own = await callAndListen(server, endpoint);
    assert.equal(own.finalStatus, 480, 'announcement-only ends with a final response');
    // 1.2 s is 60 frames of 20 ms; the first and last may be partial.
    assert.ok(own.loudFrames >= 57 && own.loudFrames <= 62, `loud frames ${own.loudFrames}`);
    // A 1 kHz tone crosses zero 2,000 times a second; speech does not look like that.
    assert.ok(
      Math.abs(own.crossingsPerSecond - 2000) < 100,
      `zero crossings/s ${own.crossingsPerSecond}`,
    );

    const del = await fetch(url, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    assert.equal(del.status, 204);
    const system = await callAndListen(server, endpoint);
    assert.equal(system.finalStatus, 480);
    assert.ok(system.loudFrames > 85, `the synthetic announcement is long: ${system.loudFrames}`);
    assert.ok(
      Math.abs(system.crossingsPerSecond - 2000) > 200,
      `speech, not the tone: ${system.crossingsPerSecond}`,
    );
  });
});
