import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** Call detail records: one per call, with its legs. */
export const callRecords: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('calls')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text')
      .addColumn('number_id', 'text')
      .addColumn('trunk_id', 'text')
      .addColumn('sip_call_id', 'text', (c) => c.notNull())
      .addColumn('dialed', 'text', (c) => c.notNull())
      .addColumn('caller', 'text')
      .addColumn('caller_withheld', 'integer', (c) => c.notNull())
      .addColumn('offered_at', 'text', (c) => c.notNull())
      .addColumn('answered_at', 'text')
      .addColumn('ended_at', 'text', (c) => c.notNull())
      .addColumn('hangup_by', 'text', (c) => c.notNull())
      .addColumn('sip_status', 'integer')
      .addColumn('disposition', 'text', (c) => c.notNull())
      .addColumn('billable', 'integer', (c) => c.notNull())
      .addColumn('queue_wait_ms', 'integer')
      .addColumn('recording', 'text')
      .addColumn('callback_task_id', 'text')
      .addColumn('flow_id', 'text')
      .addColumn('flow_version', 'integer')
      .addColumn('rtp_stats', 'text')
      .addColumn('trace', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('calls_tenant_time')
      .on('calls')
      .columns(['tenant_id', 'offered_at'])
      .execute();

    await db.schema
      .createTable('call_legs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('call_id', 'text', (c) => c.notNull().references('calls.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('peer', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('answered_at', 'text')
      .addColumn('ended_at', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('rtp_stats', 'text')
      .execute();
    await db.schema.createIndex('call_legs_call').on('call_legs').column('call_id').execute();
  },
};
