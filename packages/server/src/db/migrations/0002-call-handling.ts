import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** Issue 5's configuration: call flows (versioned), block lists, trunks, callback tasks. */
export const callHandling: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>) {
    // null = no hours set: always open.
    await db.schema.alterTable('tenants').addColumn('business_hours', 'text').execute();
    await db.schema
      .alterTable('tenants')
      .addColumn('anonymous_policy', 'text', (c) => c.notNull().defaultTo('allow'))
      .execute();
    await db.schema.alterTable('phone_numbers').addColumn('flow_id', 'text').execute();

    await db.schema
      .createTable('call_flows')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('current_version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('call_flows_tenant').on('call_flows').column('tenant_id').execute();

    await db.schema
      .createTable('call_flow_versions')
      .addColumn('flow_id', 'text', (c) => c.notNull().references('call_flows.id'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('call_flow_versions_pk', ['flow_id', 'version'])
      .execute();

    await db.schema
      .createTable('block_entries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.references('tenants.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('block_entries_lookup')
      .on('block_entries')
      .columns(['tenant_id', 'kind', 'value'])
      .execute();

    await db.schema
      .createTable('trunks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('allowed_sources', 'text', (c) => c.notNull())
      .addColumn('dialed_number_from', 'text', (c) => c.notNull())
      .addColumn('caller_id_from', 'text', (c) => c.notNull())
      .addColumn('registration', 'text')
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('callback_tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('call_id', 'text')
      .addColumn('callback_number', 'text', (c) => c.notNull())
      .addColumn('window_start', 'text')
      .addColumn('window_end', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('callback_tasks_tenant')
      .on('callback_tasks')
      .columns(['tenant_id', 'status', 'id'])
      .execute();
  },
};
