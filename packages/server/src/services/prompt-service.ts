import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav, parseWav, wavToPcm8kMono } from '@uketsuke/media';
import { systemPrompts } from '../domain/call-flow/prompts.ts';
import { AppError } from '../errors.ts';
import { uuidv7 } from '../ids.ts';
import type { TenantPrompt } from '../repositories/tenant-prompt-repository.ts';
import type { Actor, Store } from './store.ts';
import { requireActiveTenant } from './tenant-guard.ts';

/**
 * System prompts a client may replace with its own recording. Prompts that speak digits,
 * dates or queue positions are composed at call time and stay synthetic.
 */
export const replaceablePrompts: readonly string[] = systemPrompts.filter(
  (p) => !['readback_number', 'readback_window', 'queue_position', 'queue_wait'].includes(p),
);

const MAX_SECONDS = 600;
const MIN_SECONDS = 0.2;

export type TenantPromptView = Omit<TenantPrompt, 'file'>;
const view = ({ file: _file, ...rest }: TenantPrompt): TenantPromptView => rest;

const formatNames: Record<number, string> = {
  1: 'PCM',
  3: 'float',
  6: 'A-law',
  7: 'µ-law',
  65534: 'extensible',
};

/**
 * A client's own recordings (greeting with the company name, hold music …) replacing system
 * prompts on its calls. Uploads are converted once to 8 kHz mono 16-bit WAV (the media
 * engine's input; G.711 is derived from it and cached) and written beside the database
 * (`<data>/prompts/tenants/<tenant>/`). A replaced or deleted file is removed only after the
 * database change commits, so a failure never leaves a row pointing at nothing.
 */
export class PromptService {
  readonly #store: Store;
  readonly #dir: string;
  constructor(store: Store, dir: string) {
    this.#store = store;
    this.#dir = dir;
  }

  async list(tenantId: string): Promise<TenantPromptView[]> {
    return (await this.#store.read((r) => r.prompts.list(tenantId))).map(view);
  }

  /** The converted WAV of a tenant's prompt, or undefined when it uses the system one. */
  async audioPath(tenantId: string, name: string): Promise<string | undefined> {
    const p = await this.#store.read((r) => r.prompts.get(tenantId, name));
    return p && join(this.#dir, tenantId, p.file);
  }

  /** Every replaced prompt of a tenant: name → converted WAV file (for a call's channel). */
  async filesFor(tenantId: string): Promise<Map<string, string>> {
    const list = await this.#store.read((r) => r.prompts.list(tenantId));
    return new Map(list.map((p) => [p.name, join(this.#dir, tenantId, p.file)]));
  }

  async audio(tenantId: string, name: string): Promise<Buffer> {
    const path = await this.audioPath(tenantId, name);
    if (!path) throw new AppError('prompt.not_found', `no uploaded prompt '${name}'`);
    return readFileSync(path);
  }

  async upload(
    actor: Actor,
    tenantId: string,
    name: string,
    bytes: Uint8Array,
  ): Promise<TenantPromptView> {
    if (!replaceablePrompts.includes(name))
      throw new AppError(
        'prompt.name_invalid',
        `'${name}' is not a prompt that can be replaced; one of ${replaceablePrompts.join(', ')}`,
      );
    let pcm: Int16Array;
    let originalFormat: string;
    try {
      const wav = parseWav(bytes);
      originalFormat = `WAV ${formatNames[wav.formatTag] ?? `format ${wav.formatTag}`} ${wav.bitsPerSample}-bit ${wav.sampleRate} Hz ${wav.channels === 1 ? 'mono' : `${wav.channels} channels`}`;
      pcm = wavToPcm8kMono(bytes);
    } catch (err) {
      throw new AppError(
        'prompt.audio_invalid',
        `not a usable WAV file: ${(err as Error).message}`,
      );
    }
    const seconds = pcm.length / 8000;
    if (seconds < MIN_SECONDS || seconds > MAX_SECONDS)
      throw new AppError(
        'prompt.audio_invalid',
        `the recording lasts ${seconds.toFixed(1)} s; it must be ${MIN_SECONDS}–${MAX_SECONDS} s`,
      );
    const converted = encodeWav(pcm, { sampleRate: 8000, channels: 1 });
    const folder = join(this.#dir, tenantId);
    const file = `${name}-${uuidv7(Date.now())}.wav`;
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${file}.tmp`), converted);
    renameSync(join(folder, `${file}.tmp`), join(folder, file));
    try {
      return await this.#store.write(actor, async (tx) => {
        await requireActiveTenant(tx, tenantId);
        const before = await tx.repos.prompts.get(tenantId, name);
        const p: TenantPrompt = {
          tenantId,
          name,
          file,
          durationMs: Math.round(seconds * 1000),
          sha256: createHash('sha256').update(bytes).digest('hex'),
          originalFormat,
          createdAt: before?.createdAt ?? tx.now,
          updatedAt: tx.now,
        };
        await tx.repos.prompts.upsert(p);
        await tx.audit({
          action: before ? 'prompt.replace' : 'prompt.upload',
          entityType: 'tenant_prompt',
          entityId: name,
          tenantId,
          before: before ? view(before) : null,
          after: view(p),
        });
        if (before) tx.afterCommit(() => rmSync(join(folder, before.file), { force: true }));
        return view(p);
      });
    } catch (err) {
      rmSync(join(folder, file), { force: true });
      throw err;
    }
  }

  remove(actor: Actor, tenantId: string, name: string): Promise<void> {
    return this.#store.write(actor, async (tx) => {
      await requireActiveTenant(tx, tenantId);
      const before = await tx.repos.prompts.get(tenantId, name);
      if (!before) throw new AppError('prompt.not_found', `no uploaded prompt '${name}'`);
      await tx.repos.prompts.delete(tenantId, name);
      await tx.audit({
        action: 'prompt.delete',
        entityType: 'tenant_prompt',
        entityId: name,
        tenantId,
        before: view(before),
      });
      tx.afterCommit(() => rmSync(join(this.#dir, tenantId, before.file), { force: true }));
    });
  }
}
