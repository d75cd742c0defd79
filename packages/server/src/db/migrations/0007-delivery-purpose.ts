import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Why a delivery exists (report, escalation, failure alert to service admins, fallback
 * e-mail), and each call's handling status as the client sees it (未対応 / 対応中 / 対応済).
 */
export const deliveryPurpose: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('report_deliveries')
      .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('report'))
      .execute();
    await db.schema
      .alterTable('calls')
      .addColumn('handling_status', 'text', (c) => c.notNull().defaultTo('open'))
      .execute();
  },
};
