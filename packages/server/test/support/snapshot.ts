import type { Db } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/schema.ts';

const tables: (keyof Database)[] = [
  'plans',
  'plan_options',
  'tenants',
  'tenant_options',
  'staff',
  'absences',
  'phone_numbers',
  'faq_items',
  'users',
  'api_tokens',
  'audit_log',
];

/**
 * Every row of every business table (sessions excepted: a read refreshes them), in a
 * stable order: compare before and after a refused request to prove nothing changed.
 */
export async function snapshot(db: Db): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const rows = await db.kysely.selectFrom(t).selectAll().execute();
    out[t] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return JSON.stringify(out);
}
