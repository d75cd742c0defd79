import type { AuditLogTable } from '../db/schema.ts';
import { type Executor, parseJson } from './executor.ts';

export type AuditVia = 'session' | 'token' | 'system';

export interface AuditEntry {
  id: string;
  at: string;
  actorUserId: string | null;
  actorLabel: string;
  via: AuditVia;
  tenantId: string | null;
  /** e.g. tenant.create, staff.update, number.assign */
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  ip: string | null;
}

const toEntry = (r: AuditLogTable): AuditEntry => ({
  id: r.id,
  at: r.at,
  actorUserId: r.actor_user_id,
  actorLabel: r.actor_label,
  via: r.via as AuditVia,
  tenantId: r.tenant_id,
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  before: parseJson<unknown>(r.before, null),
  after: parseJson<unknown>(r.after, null),
  ip: r.ip,
});

export class AuditRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(e: AuditEntry): Promise<void> {
    await this.#db
      .insertInto('audit_log')
      .values({
        id: e.id,
        at: e.at,
        actor_user_id: e.actorUserId,
        actor_label: e.actorLabel,
        via: e.via,
        tenant_id: e.tenantId,
        action: e.action,
        entity_type: e.entityType,
        entity_id: e.entityId,
        before: e.before === null || e.before === undefined ? null : JSON.stringify(e.before),
        after: e.after === null || e.after === undefined ? null : JSON.stringify(e.after),
        ip: e.ip,
      })
      .execute();
  }

  /** Newest first; `before` is an id cursor for the next page. */
  async list(filter: {
    tenantId?: string;
    entityId?: string;
    before?: string;
    limit: number;
  }): Promise<AuditEntry[]> {
    let q = this.#db.selectFrom('audit_log').selectAll();
    if (filter.tenantId !== undefined) q = q.where('tenant_id', '=', filter.tenantId);
    if (filter.entityId !== undefined) q = q.where('entity_id', '=', filter.entityId);
    if (filter.before !== undefined) q = q.where('id', '<', filter.before);
    const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map(toEntry);
  }
}
