import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Call legs as the call layer writes them (numbers on each side, who hung up, the SIP
 * status that ended an unanswered leg, the leg's own SIP Call-ID), and carrier trunks'
 * outbound route for dialling phone numbers (JSON {target, numberFormat}).
 */
export const callLegsAndOutboundTrunks: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
  async up(db: Kysely<any>) {
    await db.schema.alterTable('call_legs').addColumn('sip_call_id', 'text').execute();
    await db.schema.alterTable('call_legs').addColumn('from_number', 'text').execute();
    await db.schema.alterTable('call_legs').addColumn('to_number', 'text').execute();
    await db.schema.alterTable('call_legs').addColumn('hangup_by', 'text').execute();
    await db.schema.alterTable('call_legs').addColumn('sip_status', 'integer').execute();
    await db.schema.alterTable('trunks').addColumn('outbound', 'text').execute();
  },
};
