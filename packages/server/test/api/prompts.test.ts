/**
 * A client's own recordings replacing system prompts, on both databases: upload (any
 * readable WAV, converted to 8 kHz mono), replace, download, delete — and bad uploads refused
 * with nothing stored and no stray files.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { before, test } from 'node:test';
import { encodeWav, parseWav } from '@uketsuke/media';
import { snapshot } from '../support/snapshot.ts';
import { describeEachDatabase } from '../support/suite.ts';
import { buildWorld, type World } from '../support/world.ts';

/** A tone as a WAV file in the given layout. */
function toneWav(seconds: number, sampleRate: number, channels: number): Buffer {
  const frames = Math.round(seconds * sampleRate);
  const samples = new Int16Array(frames * channels);
  for (let f = 0; f < frames; f++)
    for (let c = 0; c < channels; c++)
      samples[f * channels + c] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * f) / sampleRate));
  return Buffer.from(encodeWav(samples, { sampleRate, channels }));
}

const wavHeaders = { 'content-type': 'audio/wav' };

describeEachDatabase('uploaded prompts', (ctx) => {
  let w: World;
  let base: string;
  before(async () => {
    w = await buildWorld(ctx(), { a: '050-7999-0001', b: '050-7999-0002', free: '050-7999-0003' });
    base = `/api/v1/tenants/${w.a.id}/prompts`;
  });
  const filesOf = async (name: string) => {
    const path = await ctx().services.prompts.audioPath(w.a.id, name);
    return path ? readdirSync(dirname(path)).filter((f) => f.startsWith(`${name}-`)) : [];
  };

  test('a stereo 44.1 kHz WAV becomes the 8 kHz mono greeting the calls play', async () => {
    const r = await w.a.clientAdmin.request(
      'PUT',
      `${base}/hold_music`,
      toneWav(1, 44_100, 2),
      wavHeaders,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.name, 'hold_music');
    assert.equal(r.body.originalFormat, 'WAV PCM 16-bit 44100 Hz 2 channels');
    assert.ok(Math.abs(r.body.durationMs - 1000) <= 5, String(r.body.durationMs));
    const list = await w.a.clientUser.get(base);
    assert.deepEqual(
      list.body.map((p: { name: string }) => p.name),
      ['greeting', 'hold_music'],
    );
    const audio = await ctx().app.inject({
      method: 'GET',
      url: `${base}/hold_music/audio`,
      headers: { cookie: w.a.clientUser.cookie! },
    });
    assert.equal(audio.statusCode, 200);
    assert.equal(audio.headers['content-type'], 'audio/wav');
    const wav = parseWav(new Uint8Array(audio.rawPayload));
    assert.deepEqual([wav.sampleRate, wav.channels, wav.bitsPerSample], [8000, 1, 16]);
    assert.ok(Math.abs(wav.frames - 8000) <= 40, String(wav.frames));
  });

  test('replacing keeps one file; deleting goes back to the system prompt', async () => {
    const first = await w.a.clientAdmin.request(
      'PUT',
      `${base}/goodbye`,
      toneWav(0.5, 16_000, 1),
      wavHeaders,
    );
    assert.equal(first.status, 200);
    const second = await w.a.clientAdmin.request(
      'PUT',
      `${base}/goodbye`,
      toneWav(2, 8000, 1),
      wavHeaders,
    );
    assert.equal(second.status, 200);
    assert.equal(second.body.createdAt, first.body.createdAt);
    assert.equal(second.body.durationMs, 2000);
    assert.equal((await filesOf('goodbye')).length, 1, 'the replaced file is removed');
    const path = await ctx().services.prompts.audioPath(w.a.id, 'goodbye');
    const del = await w.a.clientAdmin.delete(`${base}/goodbye`);
    assert.equal(del.status, 204);
    assert.equal(await ctx().services.prompts.audioPath(w.a.id, 'goodbye'), undefined);
    assert.equal(readdirSync(dirname(path!)).filter((f) => f.startsWith('goodbye-')).length, 0);
    const gone = await w.a.clientUser.get(`${base}/goodbye/audio`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'prompt.not_found');
  });

  test('bad uploads are refused with a reason and change nothing', async () => {
    const before = await snapshot(ctx().db);
    const filesBefore = await filesOf('greeting');
    const cases: [string, Buffer | object, Record<string, string>, number, string][] = [
      [
        'greeting',
        Buffer.from('RIFF not really a wave file'),
        wavHeaders,
        422,
        'prompt.audio_invalid',
      ],
      ['greeting', toneWav(0.1, 8000, 1), wavHeaders, 422, 'prompt.audio_invalid'],
      ['readback_number', toneWav(1, 8000, 1), wavHeaders, 422, 'prompt.name_invalid'],
      ['greeting', { audio: 'base64…' }, {}, 415, 'request.media_type'],
    ];
    for (const [name, body, headers, status, code] of cases) {
      const r = await w.a.clientAdmin.request('PUT', `${base}/${name}`, body, headers);
      assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code);
    }
    const userTry = await w.a.clientUser.request(
      'PUT',
      `${base}/greeting`,
      toneWav(1, 8000, 1),
      wavHeaders,
    );
    assert.equal(userTry.status, 403);
    const otherTenant = await w.b.clientAdmin.request(
      'PUT',
      `${base}/greeting`,
      toneWav(1, 8000, 1),
      wavHeaders,
    );
    assert.equal(otherTenant.status, 403);
    assert.equal(await snapshot(ctx().db), before);
    assert.deepEqual(await filesOf('greeting'), filesBefore, 'no stray files');
  });
});
