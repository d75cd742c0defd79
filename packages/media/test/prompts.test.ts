import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  allReadbackFragments,
  EspeakRenderer,
  encodeWav,
  type G711Audio,
  isMediaError,
  MediaErrorCode,
  mulawDecode,
  PROMPT_CATALOGUE,
  PROMPT_NAMES,
  PromptLibrary,
  type SpeechRenderer,
  slotFragments,
} from '../src/index.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'uketsuke-prompts-'));
  dirs.push(d);
  return d;
}

/** Deterministic stand-in: a 100 ms tone per character. */
class FakeRenderer implements SpeechRenderer {
  readonly id: string;
  calls: string[] = [];
  constructor(id = 'fake:1') {
    this.id = id;
  }
  async render(reading: string): Promise<Int16Array> {
    this.calls.push(reading);
    const pcm = new Int16Array(800 * [...reading].length);
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(4000 * Math.sin(i / 3));
    return pcm;
  }
}

function pcmOf(pieces: readonly G711Audio[]): Int16Array {
  const total = pieces.reduce((n, p) => n + p.data.length, 0);
  const out = new Int16Array(total);
  let at = 0;
  for (const p of pieces) {
    assert.equal(p.law, 'PCMU');
    for (const b of p.data) out[at++] = mulawDecode(b);
  }
  return out;
}

function rmsDbfs(pcm: Int16Array): number {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return 20 * Math.log10(Math.sqrt(sum / Math.max(1, pcm.length)) / 32768);
}

const hasEspeak = spawnSync('espeak-ng', ['--version']).status === 0;
const hasSox = spawnSync('sox', ['--version']).status === 0;
const kanji = /\p{Script=Han}/u;

describe('prompt catalogue', () => {
  test('exactly the names the flow validator knows, each with text and gloss', () => {
    assert.deepEqual(Object.keys(PROMPT_CATALOGUE).sort(), [...PROMPT_NAMES].sort());
    assert.equal(PROMPT_NAMES.length, 20);
    for (const name of PROMPT_NAMES) {
      const def = PROMPT_CATALOGUE[name];
      assert.ok(def.gloss.length > 0, name);
      if (def.kind === 'speech') {
        assert.ok(def.text.length > 0);
        assert.doesNotMatch(def.reading, kanji, `${name}: espeak-ng reads kana only`);
      }
      if (def.kind === 'composed') {
        for (const part of def.parts)
          if ('reading' in part) assert.doesNotMatch(part.reading, kanji);
      }
    }
    assert.equal(PROMPT_CATALOGUE.hold_music.kind, 'tone');
    assert.equal(PROMPT_CATALOGUE.voicemail_beep.kind, 'tone');
    const busy = PROMPT_CATALOGUE.busy;
    assert.equal(busy.kind === 'speech' && busy.text, 'ただいま電話が大変混み合っております。');
  });

  test('read-back fragments: digits, window, position, minutes', () => {
    assert.deepEqual(
      slotFragments('digits', { digits: '09#' }).map((f) => f.reading),
      ['ぜろ', 'きゅう', 'しゃーぷ'],
    );
    const w = slotFragments('window', {
      window: { month: 11, day: 22, startHour: 10, endHour: 11 },
    });
    assert.equal(w.map((f) => f.text).join(''), '11月22日10時から11時まで');
    assert.equal(
      w.map((f) => f.reading).join(' '),
      'じゅういちがつ にじゅうににち じゅうじ から じゅういちじ まで',
    );
    assert.equal(slotFragments('position', { position: 3 })[0]!.reading, 'さんばんめ');
    assert.equal(slotFragments('minutes', { minutes: 10 })[0]!.reading, 'じゅっぷん');
    assert.equal(slotFragments('minutes', { minutes: 21 })[0]!.reading, 'にじゅういっぷん');
    assert.throws(
      () => slotFragments('position', { position: 0 }),
      (e) => isMediaError(e, MediaErrorCode.InvalidArgument),
    );
    assert.throws(() => slotFragments('digits', { digits: '12a' }));
    const keys = allReadbackFragments().map((f) => f.key);
    assert.equal(new Set(keys).size, keys.length);
    for (let h = 0; h < 24; h++) assert.ok(keys.includes(`hour_${h}`), `hour_${h}`);
    for (let d = 1; d <= 31; d++) assert.ok(keys.includes(`day_${d}`), `day_${d}`);
  });
});

describe('prompt library (fake renderer)', () => {
  test('renders once, caches both laws on disk, re-renders only when the reading or voice changes', async () => {
    const dir = await tempDir();
    const r1 = new FakeRenderer();
    const lib = new PromptLibrary({ dir, renderer: r1 });
    const a = await lib.frames('busy');
    const b = await lib.frames('busy');
    assert.equal(a[0], b[0]); // shared buffer from memory
    assert.equal(r1.calls.length, 1);
    assert.equal((await readdir(join(dir, 'pcmu'))).length, 1);
    assert.equal((await readdir(join(dir, 'pcma'))).length, 1);
    assert.equal((await lib.frames('busy', {}, 'PCMA'))[0]!.law, 'PCMA');
    assert.equal(r1.calls.length, 1);

    const lib2 = new PromptLibrary({ dir, renderer: new FakeRenderer() });
    await lib2.frames('busy');
    assert.equal(lib2.rendered, 0);
    assert.equal(lib2.loaded, 1);

    const lib3 = new PromptLibrary({ dir, renderer: new FakeRenderer('fake:2') });
    await lib3.frames('busy');
    assert.equal(lib3.rendered, 1);
    const files = await readdir(join(dir, 'pcmu'));
    assert.equal(files.length, 1, 'stale render removed');
    assert.match(files[0]!, /^busy-[0-9a-f]{16}\.ulaw$/);
  });

  test('composed prompts, tones and unknown names', async () => {
    const lib = new PromptLibrary({ dir: await tempDir(), renderer: new FakeRenderer() });
    const pieces = await lib.frames('readback_number', { digits: '0312345678' });
    assert.equal(pieces.length, 12);
    const items = await lib.playlist('hold_music');
    assert.equal(items.length, 1);
    assert.equal(items[0]!.loop, true);
    assert.ok(rmsDbfs(pcmOf(await lib.frames('voicemail_beep'))) > -20);
    await assert.rejects(lib.frames('nope'), (e) => isMediaError(e, MediaErrorCode.PromptUnknown));
    const r = await lib.prepare({ readbacks: true });
    assert.ok(r.rendered > 200);
  });

  test('a missing espeak-ng fails with a typed error naming the package', async () => {
    const lib = new PromptLibrary({
      dir: await tempDir(),
      renderer: new EspeakRenderer({ command: '/nonexistent/espeak-ng' }),
    });
    await assert.rejects(lib.frames('greeting'), (e) => {
      assert.ok(isMediaError(e, MediaErrorCode.TtsUnavailable));
      assert.match(e.message, /apt-get install espeak-ng/);
      return true;
    });
  });
});

describe('prompt library (espeak-ng)', {
  skip: hasEspeak ? false : 'espeak-ng not installed (apt-get install espeak-ng)',
}, () => {
  test('every prompt renders to non-silent audio of plausible duration', async () => {
    const lib = new PromptLibrary({ dir: await tempDir() });
    const result = await lib.prepare();
    assert.ok(result.rendered > 15);
    for (const name of PROMPT_NAMES) {
      const def = PROMPT_CATALOGUE[name];
      if (def.kind !== 'speech') continue;
      const pcm = pcmOf(await lib.frames(name));
      const seconds = pcm.length / 8000;
      const morae = [...def.reading.replace(/[\s、。]/g, '')].length;
      // Japanese speech runs at roughly 5–12 morae per second.
      assert.ok(
        seconds > morae / 15 && seconds < morae / 3,
        `${name}: ${seconds} s for ${morae} morae`,
      );
      assert.ok(rmsDbfs(pcm) > -35, `${name}: ${rmsDbfs(pcm).toFixed(1)} dBFS`);
    }
  });

  test('a composed read-back is speech; sox agrees', async () => {
    const dir = await tempDir();
    const lib = new PromptLibrary({ dir });
    const pcm = pcmOf(
      await lib.frames('readback_window', {
        window: { month: 11, day: 22, startHour: 10, endHour: 11 },
      }),
    );
    assert.ok(pcm.length / 8000 > 2 && pcm.length / 8000 < 12);
    assert.ok(rmsDbfs(pcm) > -35);
    if (!hasSox) return;
    const wav = join(dir, 'window.wav');
    await writeFile(wav, encodeWav(pcm, { sampleRate: 8000, channels: 1 }));
    const stat = spawnSync('sox', [wav, '-n', 'stat'], { encoding: 'utf8' }).stderr;
    const length = Number(/Length \(seconds\):\s+([\d.]+)/.exec(stat)?.[1]);
    const rms = Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(stat)?.[1]);
    assert.ok(Math.abs(length - pcm.length / 8000) < 0.01, stat);
    assert.ok(rms > 0.02, stat);
  });
});
