/**
 * The prompt library: every default prompt and read-back fragment rendered once, cached
 * on disk as 8 kHz G.711 and in memory as shared immutable buffers, handed out as a
 * sequence a {@link PlayerPort} plays gaplessly.
 *
 * Cache layout: `<dir>/<pcmu|pcma>/<key>-<hash>.<ulaw|alaw>` (raw G.711, no header —
 * it is what the player copies into RTP). The hash covers the renderer id (engine,
 * voice, speed), the reading and a format version, so changing a text or the voice
 * renders again, and nothing else does. Files are written to a temporary name and
 * renamed, so several media workers may render concurrently without seeing half a file.
 * Both laws are written from one synthesis.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type G711Law, g711Tables } from '../g711/g711-codec.ts';
import { MediaError, MediaErrorCode } from '../media-error.ts';
import type { G711Audio, PlaylistItem } from '../port/player-port.ts';
import { EspeakRenderer, type SpeechRenderer } from './espeak-renderer.ts';
import {
  isPromptName,
  PROMPT_CATALOGUE,
  PROMPT_NAMES,
  type PromptDefinition,
  type PromptParams,
} from './prompt-catalogue.ts';
import { allReadbackFragments, type SpeechFragment, slotFragments } from './prompt-readback.ts';
import { renderBeep, renderHoldMusic } from './prompt-tones.ts';

/** Bump when the conversion changes, to re-render every cached file. */
const CACHE_FORMAT = 1;
const LAWS: readonly G711Law[] = ['PCMU', 'PCMA'];
const LAW_DIR: Readonly<Record<G711Law, string>> = { PCMU: 'pcmu', PCMA: 'pcma' };
const LAW_EXT: Readonly<Record<G711Law, string>> = { PCMU: 'ulaw', PCMA: 'alaw' };

export interface PromptLibraryOptions {
  /** Cache folder, e.g. `<UKETSUKE_DATA_DIR>/prompts`. */
  dir: string;
  /** Default: espeak-ng with the `ja` voice. */
  renderer?: SpeechRenderer;
}

export interface PrepareResult {
  /** Fragments synthesised now. */
  rendered: number;
  /** Fragments found in the disk cache. */
  cached: number;
}

function encode(pcm: Int16Array, law: G711Law): Uint8Array {
  const table = g711Tables(law).encode;
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = table[pcm[i]! & 0xffff]!;
  return out;
}

export class PromptLibrary {
  readonly dir: string;
  private readonly renderer: SpeechRenderer;
  /** law:key:hash → audio (a promise, so concurrent requests share one render). */
  private readonly memory = new Map<string, Promise<G711Audio>>();
  private readonly tones = new Map<string, G711Audio>();
  /** Counters since construction. */
  rendered = 0;
  loaded = 0;

  constructor(options: PromptLibraryOptions) {
    this.dir = options.dir;
    this.renderer = options.renderer ?? new EspeakRenderer();
  }

  /** Does this prompt play forever until stopped (hold music)? */
  static loops(name: string): boolean {
    return name === 'hold_music';
  }

  /** The G.711 pieces of a prompt, in play order (one piece unless it has slots). */
  async frames(
    name: string,
    params: PromptParams = {},
    law: G711Law = 'PCMU',
  ): Promise<G711Audio[]> {
    if (!isPromptName(name)) {
      throw new MediaError(MediaErrorCode.PromptUnknown, `unknown prompt ${JSON.stringify(name)}`);
    }
    const def: PromptDefinition = PROMPT_CATALOGUE[name];
    if (def.kind === 'tone') return [this.tone(def.tone, law)];
    const fragments = this.fragmentsOf(name, def, params);
    return Promise.all(fragments.map((f) => this.fragment(f, law)));
  }

  /** {@link frames} as player items (hold music loops). */
  async playlist(
    name: string,
    params: PromptParams = {},
    law: G711Law = 'PCMU',
  ): Promise<PlaylistItem[]> {
    const audio = await this.frames(name, params, law);
    const loop = PromptLibrary.loops(name);
    return audio.map((a) => ({ audio: a, id: name, ...(loop ? { loop: true } : {}) }));
  }

  /**
   * Render (or load) every catalogue prompt, and with `readbacks` every read-back
   * fragment too (240 short renders) — for install time, so no call waits for espeak.
   */
  async prepare(
    options: { readbacks?: boolean; concurrency?: number } = {},
  ): Promise<PrepareResult> {
    const fragments: SpeechFragment[] = [];
    for (const name of PROMPT_NAMES) {
      const def = PROMPT_CATALOGUE[name];
      if (def.kind === 'speech')
        fragments.push({ key: name, text: def.text, reading: def.reading });
      if (def.kind === 'composed') {
        def.parts.forEach((part, i) => {
          if ('reading' in part) fragments.push({ key: `${name}_part${i}`, ...part });
        });
      }
    }
    if (options.readbacks) fragments.push(...allReadbackFragments());
    const before = { rendered: this.rendered, loaded: this.loaded };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < fragments.length) {
        const f = fragments[next++]!;
        await this.fragment(f, 'PCMU');
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 2 }, worker));
    return { rendered: this.rendered - before.rendered, cached: this.loaded - before.loaded };
  }

  /** Where a fragment's cache file lives. */
  cachePath(fragment: SpeechFragment, law: G711Law): string {
    return join(this.dir, LAW_DIR[law], `${fragment.key}-${this.hashOf(fragment)}.${LAW_EXT[law]}`);
  }

  /** One speech fragment in `law`, from memory, disk, or a fresh render. */
  fragment(fragment: SpeechFragment, law: G711Law): Promise<G711Audio> {
    const memoryKey = `${law}:${fragment.key}:${this.hashOf(fragment)}`;
    let audio = this.memory.get(memoryKey);
    if (audio === undefined) {
      audio = this.load(fragment, law);
      this.memory.set(memoryKey, audio);
      // A failed render must not stay cached: the next request tries again.
      audio.catch(() => this.memory.delete(memoryKey));
    }
    return audio;
  }

  private fragmentsOf(name: string, def: PromptDefinition, params: PromptParams): SpeechFragment[] {
    if (def.kind === 'speech') return [{ key: name, text: def.text, reading: def.reading }];
    if (def.kind === 'tone') return [];
    const out: SpeechFragment[] = [];
    def.parts.forEach((part, i) => {
      if ('slot' in part) out.push(...slotFragments(part.slot, params));
      else out.push({ key: `${name}_part${i}`, ...part });
    });
    return out;
  }

  private hashOf(fragment: SpeechFragment): string {
    return createHash('sha256')
      .update(JSON.stringify([CACHE_FORMAT, this.renderer.id, fragment.reading]))
      .digest('hex')
      .slice(0, 16);
  }

  private async load(fragment: SpeechFragment, law: G711Law): Promise<G711Audio> {
    const path = this.cachePath(fragment, law);
    try {
      const data = new Uint8Array(await readFile(path));
      this.loaded++;
      return { law, data };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const pcm = await this.renderer.render(fragment.reading);
    this.rendered++;
    let result: G711Audio | undefined;
    for (const l of LAWS) {
      const data = encode(pcm, l);
      await this.store(fragment, l, data);
      if (l === law) result = { law, data };
    }
    return result!;
  }

  /** Atomic write, then remove renders of the same key with an older hash. */
  private async store(fragment: SpeechFragment, law: G711Law, data: Uint8Array): Promise<void> {
    const folder = join(this.dir, LAW_DIR[law]);
    await mkdir(folder, { recursive: true });
    const path = this.cachePath(fragment, law);
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temp, data);
    await rename(temp, path);
    const current = path.slice(folder.length + 1);
    const stale = new RegExp(`^${fragment.key}-[0-9a-f]{16}\\.${LAW_EXT[law]}$`);
    for (const file of await readdir(folder)) {
      if (file !== current && stale.test(file)) await unlink(join(folder, file)).catch(() => {});
    }
  }

  private tone(kind: 'hold-music' | 'beep', law: G711Law): G711Audio {
    const key = `${kind}:${law}`;
    let audio = this.tones.get(key);
    if (audio === undefined) {
      audio = { law, data: encode(kind === 'beep' ? renderBeep() : renderHoldMusic(), law) };
      this.tones.set(key, audio);
    }
    return audio;
  }
}
