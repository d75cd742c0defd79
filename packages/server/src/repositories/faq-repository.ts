import type { FaqItemsTable } from '../db/schema.ts';
import { type Executor, toCount } from './executor.ts';

export interface FaqItem {
  id: string;
  tenantId: string;
  position: number;
  question: string;
  answer: string;
  createdAt: string;
  updatedAt: string;
}

const toItem = (r: FaqItemsTable): FaqItem => ({
  id: r.id,
  tenantId: r.tenant_id,
  position: r.position,
  question: r.question,
  answer: r.answer,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class FaqRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async list(tenantId: string): Promise<FaqItem[]> {
    const rows = await this.#db
      .selectFrom('faq_items')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('position')
      .orderBy('id')
      .execute();
    return rows.map(toItem);
  }

  async count(tenantId: string): Promise<number> {
    const r = await this.#db
      .selectFrom('faq_items')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return toCount(r?.n);
  }

  async get(tenantId: string, id: string): Promise<FaqItem | undefined> {
    const r = await this.#db
      .selectFrom('faq_items')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toItem(r);
  }

  async insert(f: FaqItem): Promise<void> {
    await this.#db
      .insertInto('faq_items')
      .values({
        id: f.id,
        tenant_id: f.tenantId,
        position: f.position,
        question: f.question,
        answer: f.answer,
        created_at: f.createdAt,
        updated_at: f.updatedAt,
      })
      .execute();
  }

  async update(f: FaqItem): Promise<void> {
    await this.#db
      .updateTable('faq_items')
      .set({
        position: f.position,
        question: f.question,
        answer: f.answer,
        updated_at: f.updatedAt,
      })
      .where('tenant_id', '=', f.tenantId)
      .where('id', '=', f.id)
      .execute();
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.#db
      .deleteFrom('faq_items')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }
}
