import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** Urgent-report escalation settings per tenant, and when a report was escalated. */
export const escalation: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>) {
    // JSON {afterMinutes, target}; null = no escalation.
    await db.schema.alterTable('tenants').addColumn('urgent_escalation', 'text').execute();
    await db.schema.alterTable('reports').addColumn('escalated_at', 'text').execute();
    await db.schema
      .alterTable('reports')
      .addColumn('urgent', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('reports_urgent_open')
      .on('reports')
      .columns(['urgent', 'acknowledged_at', 'escalated_at'])
      .execute();
  },
};
