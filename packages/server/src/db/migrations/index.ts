import type { Migration, MigrationProvider } from 'kysely/migration';
import { initial } from './0001-initial.ts';
import { callHandling } from './0002-call-handling.ts';
import { callRecords } from './0003-call-records.ts';
import { reports } from './0004-reports.ts';
import { messages } from './0005-messages.ts';
import { escalation } from './0006-escalation.ts';
import { deliveryPurpose } from './0007-delivery-purpose.ts';
import { reportWording } from './0008-report-wording.ts';
import { callLegsAndOutboundTrunks } from './0009-call-legs-and-outbound-trunks.ts';
import { charges } from './0010-charges.ts';
import { tenantPrompts } from './0011-tenant-prompts.ts';

/**
 * Migrations in order. Names sort lexically; never rename or edit one that has shipped:
 * add a new one.
 */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-call-handling': callHandling,
  '0003-call-records': callRecords,
  '0004-reports': reports,
  '0005-messages': messages,
  '0006-escalation': escalation,
  '0007-delivery-purpose': deliveryPurpose,
  '0008-report-wording': reportWording,
  '0009-call-legs-and-outbound-trunks': callLegsAndOutboundTrunks,
  '0010-charges': charges,
  '0011-tenant-prompts': tenantPrompts,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
