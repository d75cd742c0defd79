import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Rated charges: the carrier tariffs the service pays (configuration) and, per call, what
 * the client bears (domain/rating.ts). Amounts are integer sen (¥0.01), tax excluded.
 */
export const charges: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('tariffs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('peer_class', 'text', (c) => c.notNull())
      .addColumn('unit_seconds', 'integer', (c) => c.notNull())
      .addColumn('price_per_unit_sen', 'integer', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('tariffs_kind_class', ['kind', 'peer_class'])
      .execute();

    await db.schema
      .createTable('call_charges')
      .addColumn('call_id', 'text', (c) => c.primaryKey().references('calls.id'))
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('call_offered_at', 'text', (c) => c.notNull())
      .addColumn('total_sen', 'integer', (c) => c.notNull())
      .addColumn('complete', 'integer', (c) => c.notNull())
      .addColumn('lines', 'text', (c) => c.notNull())
      .addColumn('rated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('call_charges_tenant_period')
      .on('call_charges')
      .columns(['tenant_id', 'call_offered_at'])
      .execute();
  },
};
