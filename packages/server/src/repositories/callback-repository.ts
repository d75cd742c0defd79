import type { CallbackTasksTable } from '../db/schema.ts';
import type { Executor } from './executor.ts';

export const callbackStatuses = ['open', 'in_progress', 'done', 'cancelled'] as const;
export type CallbackStatus = (typeof callbackStatuses)[number];
export const callbackSources = ['ivr', 'missed', 'abandoned', 'operator', 'manual'] as const;
export type CallbackSource = (typeof callbackSources)[number];

/** A callback task (自動コールバック): whom to call back, when, and why. */
export interface CallbackTask {
  id: string;
  tenantId: string;
  callId: string | null;
  callbackNumber: string;
  /** The window the caller asked for; null when none was given (missed calls). */
  windowStart: string | null;
  windowEnd: string | null;
  reason: string;
  source: CallbackSource;
  status: CallbackStatus;
  note: string;
  createdAt: string;
  updatedAt: string;
}

const toTask = (r: CallbackTasksTable): CallbackTask => ({
  id: r.id,
  tenantId: r.tenant_id,
  callId: r.call_id,
  callbackNumber: r.callback_number,
  windowStart: r.window_start,
  windowEnd: r.window_end,
  reason: r.reason,
  source: r.source as CallbackSource,
  status: r.status as CallbackStatus,
  note: r.note,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class CallbackRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async list(tenantId: string, status?: CallbackStatus): Promise<CallbackTask[]> {
    let q = this.#db.selectFrom('callback_tasks').selectAll().where('tenant_id', '=', tenantId);
    if (status) q = q.where('status', '=', status);
    return (await q.orderBy('id', 'desc').limit(1000).execute()).map(toTask);
  }

  async get(tenantId: string, id: string): Promise<CallbackTask | undefined> {
    const r = await this.#db
      .selectFrom('callback_tasks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toTask(r);
  }

  async insert(t: CallbackTask): Promise<void> {
    await this.#db
      .insertInto('callback_tasks')
      .values({
        id: t.id,
        tenant_id: t.tenantId,
        call_id: t.callId,
        callback_number: t.callbackNumber,
        window_start: t.windowStart,
        window_end: t.windowEnd,
        reason: t.reason,
        source: t.source,
        status: t.status,
        note: t.note,
        created_at: t.createdAt,
        updated_at: t.updatedAt,
      })
      .execute();
  }

  async update(t: CallbackTask): Promise<void> {
    await this.#db
      .updateTable('callback_tasks')
      .set({ status: t.status, note: t.note, updated_at: t.updatedAt })
      .where('tenant_id', '=', t.tenantId)
      .where('id', '=', t.id)
      .execute();
  }
}
