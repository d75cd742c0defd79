import { sql } from 'kysely';
import type { ReportDeliveriesTable, ReportsTable } from '../db/schema.ts';
import type { ReportContent, ReportKind } from '../reports/report-content.ts';
import { type Executor, fromBool, toBool } from './executor.ts';

export const deliveryStatuses = ['queued', 'sending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export interface Report {
  id: string;
  tenantId: string;
  callId: string | null;
  source: ReportKind;
  sourceId: string;
  channel: string;
  content: ReportContent;
  namedStaffId: string | null;
  private: boolean;
  createdAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  urgent: boolean;
  escalatedAt: string | null;
}

export const deliveryPurposes = ['report', 'escalation', 'alert', 'fallback'] as const;
export type DeliveryPurpose = (typeof deliveryPurposes)[number];

export interface Delivery {
  id: string;
  /** report: the client's copy; escalation: an unacknowledged urgent report passed on;
   * alert: a service admin told that a delivery failed for good; fallback: the client's
   * fallback e-mail after its chat channel failed. */
  purpose: DeliveryPurpose;
  reportId: string;
  tenantId: string;
  channel: string;
  recipient: string;
  /** Idempotency key: the e-mail Message-ID; the same on every retry. */
  messageId: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  leaseUntil: string | null;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const toReport = (r: ReportsTable): Report => ({
  id: r.id,
  tenantId: r.tenant_id,
  callId: r.call_id,
  source: r.source as ReportKind,
  sourceId: r.source_id,
  channel: r.channel,
  content: JSON.parse(r.content) as ReportContent,
  namedStaffId: r.named_staff_id,
  private: toBool(r.private),
  createdAt: r.created_at,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  urgent: toBool(r.urgent),
  escalatedAt: r.escalated_at,
});

const toDelivery = (r: ReportDeliveriesTable): Delivery => ({
  id: r.id,
  purpose: r.purpose as DeliveryPurpose,
  reportId: r.report_id,
  tenantId: r.tenant_id,
  channel: r.channel,
  recipient: r.recipient,
  messageId: r.message_id,
  status: r.status as DeliveryStatus,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  leaseUntil: r.lease_until,
  lastError: r.last_error,
  sentAt: r.sent_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class ReportRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async insert(r: Report): Promise<void> {
    await this.#db
      .insertInto('reports')
      .values({
        id: r.id,
        tenant_id: r.tenantId,
        call_id: r.callId,
        source: r.source,
        source_id: r.sourceId,
        channel: r.channel,
        content: JSON.stringify(r.content),
        named_staff_id: r.namedStaffId,
        private: fromBool(r.private),
        created_at: r.createdAt,
        acknowledged_at: r.acknowledgedAt,
        acknowledged_by: r.acknowledgedBy,
        urgent: fromBool(r.urgent),
        escalated_at: r.escalatedAt,
      })
      .execute();
  }

  async insertDelivery(d: Delivery): Promise<void> {
    await this.#db
      .insertInto('report_deliveries')
      .values({
        id: d.id,
        purpose: d.purpose,
        report_id: d.reportId,
        tenant_id: d.tenantId,
        channel: d.channel,
        recipient: d.recipient,
        message_id: d.messageId,
        status: d.status,
        attempts: d.attempts,
        next_attempt_at: d.nextAttemptAt,
        lease_until: d.leaseUntil,
        last_error: d.lastError,
        sent_at: d.sentAt,
        created_at: d.createdAt,
        updated_at: d.updatedAt,
      })
      .execute();
  }

  async get(tenantId: string, id: string): Promise<Report | undefined> {
    const r = await this.#db
      .selectFrom('reports')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toReport(r);
  }

  async getById(id: string): Promise<Report | undefined> {
    const r = await this.#db
      .selectFrom('reports')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toReport(r);
  }

  async list(tenantId: string, limit: number, before?: string): Promise<Report[]> {
    let q = this.#db.selectFrom('reports').selectAll().where('tenant_id', '=', tenantId);
    if (before) q = q.where('id', '<', before);
    return (await q.orderBy('id', 'desc').limit(limit).execute()).map(toReport);
  }

  async deliveries(reportIds: string[]): Promise<Delivery[]> {
    if (reportIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('report_deliveries')
      .selectAll()
      .where('report_id', 'in', reportIds)
      .orderBy('id')
      .execute();
    return rows.map(toDelivery);
  }

  async delivery(id: string): Promise<Delivery | undefined> {
    const r = await this.#db
      .selectFrom('report_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toDelivery(r);
  }

  /**
   * Claims up to `limit` deliveries that are due (or whose sender's lease ran out: a node
   * that died mid-send), marking them `sending` until `leaseUntil`. On PostgreSQL the
   * candidate rows are locked with SKIP LOCKED so several nodes never claim the same row;
   * SQLite serialises writers anyway. Must run inside a transaction.
   */
  async claimDue(
    now: string,
    leaseUntil: string,
    limit: number,
    dialect: 'sqlite' | 'postgres',
  ): Promise<Delivery[]> {
    let q = this.#db
      .selectFrom('report_deliveries')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('lease_until', '<=', now)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .limit(limit);
    if (dialect === 'postgres') q = q.forUpdate().skipLocked();
    const ids = (await q.execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    await this.#db
      .updateTable('report_deliveries')
      .set({
        status: 'sending',
        lease_until: leaseUntil,
        attempts: sql<number>`attempts + 1`,
        updated_at: now,
      })
      .where('id', 'in', ids)
      .execute();
    const rows = await this.#db
      .selectFrom('report_deliveries')
      .selectAll()
      .where('id', 'in', ids)
      .execute();
    return rows.map(toDelivery);
  }

  /** Returns every claimed delivery to the queue (see DeliveryWorker.recoverOnStart). */
  async releaseAllLeases(at: string): Promise<number> {
    const r = await this.#db
      .updateTable('report_deliveries')
      .set({ status: 'queued', lease_until: null, updated_at: at })
      .where('status', '=', 'sending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async markSent(id: string, at: string): Promise<void> {
    await this.#db
      .updateTable('report_deliveries')
      .set({ status: 'sent', sent_at: at, lease_until: null, last_error: null, updated_at: at })
      .where('id', '=', id)
      .execute();
  }

  async markRetry(id: string, at: string, nextAttemptAt: string, error: string): Promise<void> {
    await this.#db
      .updateTable('report_deliveries')
      .set({
        status: 'queued',
        next_attempt_at: nextAttemptAt,
        lease_until: null,
        last_error: error,
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
  }

  async markFailed(id: string, at: string, error: string): Promise<void> {
    await this.#db
      .updateTable('report_deliveries')
      .set({ status: 'failed', lease_until: null, last_error: error, updated_at: at })
      .where('id', '=', id)
      .execute();
  }

  async acknowledge(id: string, at: string, by: string): Promise<void> {
    await this.#db
      .updateTable('reports')
      .set({ acknowledged_at: at, acknowledged_by: by })
      .where('id', '=', id)
      .where('acknowledged_at', 'is', null)
      .execute();
  }

  /** Urgent reports nobody acknowledged, created before `createdBefore`, not yet escalated. */
  async dueForEscalation(tenantId: string, createdBefore: string): Promise<Report[]> {
    const rows = await this.#db
      .selectFrom('reports')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('urgent', '=', 1)
      .where('acknowledged_at', 'is', null)
      .where('escalated_at', 'is', null)
      .where('created_at', '<=', createdBefore)
      .orderBy('id')
      .limit(100)
      .execute();
    return rows.map(toReport);
  }

  async markEscalated(id: string, at: string): Promise<void> {
    await this.#db
      .updateTable('reports')
      .set({ escalated_at: at })
      .where('id', '=', id)
      .where('escalated_at', 'is', null)
      .execute();
  }

  async countDeliveries(status: DeliveryStatus): Promise<number> {
    const r = await this.#db
      .selectFrom('report_deliveries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', status)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
