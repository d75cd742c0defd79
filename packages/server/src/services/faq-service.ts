import { AppError } from '../errors.ts';
import { uuidv7 } from '../ids.ts';
import type { FaqItem } from '../repositories/faq-repository.ts';
import type { Actor, Store } from './store.ts';
import { requireActiveTenant } from './tenant-guard.ts';

/** The client's Q&A for operators, limited by plan (Start 0, Standard 10, Next unlimited). */
export class FaqService {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  async list(tenantId: string): Promise<FaqItem[]> {
    return this.#store.read(async (r) => {
      if (!(await r.tenants.get(tenantId)))
        throw new AppError('tenant.not_found', `no client company ${tenantId}`);
      return r.faq.list(tenantId);
    });
  }

  async get(tenantId: string, id: string): Promise<FaqItem> {
    const f = await this.#store.read((r) => r.faq.get(tenantId, id));
    if (!f) throw new AppError('faq.not_found', `no FAQ item ${id}`);
    return f;
  }

  create(
    actor: Actor,
    tenantId: string,
    input: { question: string; answer: string; position?: number },
  ): Promise<FaqItem> {
    return this.#store.write(actor, async (tx) => {
      const tenant = await requireActiveTenant(tx, tenantId);
      const plan = await tx.repos.plans.get(tenant.planCode);
      const count = await tx.repos.faq.count(tenantId);
      if (plan && plan.faqLimit !== null && count >= plan.faqLimit) {
        throw new AppError(
          'faq.plan_limit',
          `plan '${plan.code}' allows ${plan.faqLimit} FAQ items and ${count} exist`,
        );
      }
      const f: FaqItem = {
        id: uuidv7(tx.nowDate.getTime()),
        tenantId,
        position: input.position ?? count,
        question: input.question.trim(),
        answer: input.answer.trim(),
        createdAt: tx.now,
        updatedAt: tx.now,
      };
      await tx.repos.faq.insert(f);
      await tx.audit({
        action: 'faq.create',
        entityType: 'faq',
        entityId: f.id,
        tenantId,
        after: f,
      });
      return f;
    });
  }

  update(
    actor: Actor,
    tenantId: string,
    id: string,
    patch: { question?: string; answer?: string; position?: number },
  ): Promise<FaqItem> {
    return this.#store.write(actor, async (tx) => {
      await requireActiveTenant(tx, tenantId);
      const before = await tx.repos.faq.get(tenantId, id);
      if (!before) throw new AppError('faq.not_found', `no FAQ item ${id}`);
      const after: FaqItem = {
        ...before,
        question: patch.question?.trim() ?? before.question,
        answer: patch.answer?.trim() ?? before.answer,
        position: patch.position ?? before.position,
        updatedAt: tx.now,
      };
      await tx.repos.faq.update(after);
      await tx.audit({
        action: 'faq.update',
        entityType: 'faq',
        entityId: id,
        tenantId,
        before,
        after,
      });
      return after;
    });
  }

  delete(actor: Actor, tenantId: string, id: string): Promise<void> {
    return this.#store.write(actor, async (tx) => {
      await requireActiveTenant(tx, tenantId);
      const before = await tx.repos.faq.get(tenantId, id);
      if (!before) throw new AppError('faq.not_found', `no FAQ item ${id}`);
      await tx.repos.faq.delete(tenantId, id);
      await tx.audit({ action: 'faq.delete', entityType: 'faq', entityId: id, tenantId, before });
    });
  }
}
