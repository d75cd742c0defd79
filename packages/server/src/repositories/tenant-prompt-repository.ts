import type { TenantPromptsTable } from '../db/schema.ts';
import type { Executor } from './executor.ts';

/** A client's recording that replaces a system prompt on its calls. */
export interface TenantPrompt {
  tenantId: string;
  name: string;
  /** File name under the tenant's prompt folder (never a path from a request). */
  file: string;
  durationMs: number;
  sha256: string;
  /** What was uploaded, e.g. "WAV PCM 16-bit 44100 Hz stereo". */
  originalFormat: string;
  createdAt: string;
  updatedAt: string;
}

const toPrompt = (r: TenantPromptsTable): TenantPrompt => ({
  tenantId: r.tenant_id,
  name: r.name,
  file: r.file,
  durationMs: Number(r.duration_ms),
  sha256: r.sha256,
  originalFormat: r.original_format,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class TenantPromptRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async list(tenantId: string): Promise<TenantPrompt[]> {
    const rows = await this.#db
      .selectFrom('tenant_prompts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
    return rows.map(toPrompt);
  }

  async get(tenantId: string, name: string): Promise<TenantPrompt | undefined> {
    const r = await this.#db
      .selectFrom('tenant_prompts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name)
      .executeTakeFirst();
    return r && toPrompt(r);
  }

  async upsert(p: TenantPrompt): Promise<void> {
    const values = {
      file: p.file,
      duration_ms: p.durationMs,
      sha256: p.sha256,
      original_format: p.originalFormat,
      updated_at: p.updatedAt,
    };
    await this.#db
      .insertInto('tenant_prompts')
      .values({ tenant_id: p.tenantId, name: p.name, created_at: p.createdAt, ...values })
      .onConflict((oc) => oc.columns(['tenant_id', 'name']).doUpdateSet(values))
      .execute();
  }

  async delete(tenantId: string, name: string): Promise<void> {
    await this.#db
      .deleteFrom('tenant_prompts')
      .where('tenant_id', '=', tenantId)
      .where('name', '=', name)
      .execute();
  }
}
