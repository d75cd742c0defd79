import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** Messages taken by operators (受電メモ). */
export const messages: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('call_id', 'text')
      .addColumn('number_id', 'text')
      .addColumn('caller_company', 'text', (c) => c.notNull())
      .addColumn('caller_name', 'text', (c) => c.notNull())
      .addColumn('caller_number', 'text')
      .addColumn('callback_number', 'text')
      .addColumn('callback_window_start', 'text')
      .addColumn('callback_window_end', 'text')
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('named_staff_id', 'text')
      .addColumn('urgent', 'integer', (c) => c.notNull())
      .addColumn('complaint', 'integer', (c) => c.notNull())
      .addColumn('notes', 'text', (c) => c.notNull())
      .addColumn('operator_alias', 'text', (c) => c.notNull())
      .addColumn('taken_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('messages_tenant')
      .on('messages')
      .columns(['tenant_id', 'id'])
      .execute();
  },
};
