import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** A client's own wording for its reports (plain text; JSON {intro, closing, subjectPrefix}). */
export const reportWording: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>) {
    await db.schema.alterTable('tenants').addColumn('report_wording', 'text').execute();
  },
};
