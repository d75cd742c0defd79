import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * A client's own recordings that replace system prompts on its calls (issue 4: "per-tenant
 * uploaded prompts"), e.g. a greeting that names the company. The audio is a file under the
 * data directory (8 kHz mono 16-bit WAV, converted at upload); the row says which file.
 */
export const tenantPrompts: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('tenant_prompts')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('file', 'text', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('original_format', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('tenant_prompts_pk', ['tenant_id', 'name'])
      .execute();
  },
};
