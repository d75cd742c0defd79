import { AppError } from '../errors.ts';
import type { Plan, PlanOption } from '../repositories/plan-repository.ts';
import type { Actor, Store } from './store.ts';

/**
 * Plans and options as PRODUCT.md lists them (figures from the seeds, all configurable).
 * Seeded once into an empty database; admins change them through the API afterwards.
 */
export const defaultPlans: Plan[] = [
  {
    code: 'start',
    name: 'スタートプラン (Start)',
    monthlyFeeYen: 8250,
    faqLimit: 0,
    reportRecipientsIncluded: 3,
    description: '氏名・電話番号のお預かり、折り返し対応。Q&A対応なし。',
  },
  {
    code: 'standard',
    name: 'スタンダードプラン (Standard)',
    monthlyFeeYen: 16500,
    faqLimit: 10,
    reportRecipientsIncluded: 3,
    description: 'スタートプランに加え、Q&A 10項目まで。',
  },
  {
    code: 'next',
    name: 'ネクストプラン (Next)',
    monthlyFeeYen: 44000,
    faqLimit: null,
    reportRecipientsIncluded: 3,
    description: 'Q&A無制限、ヒアリング項目追加、マニュアル対応。',
  },
  {
    code: 'maintenance',
    name: 'メンテナンス手配 (Maintenance dispatch)',
    monthlyFeeYen: 66000,
    faqLimit: null,
    reportRecipientsIncluded: 3,
    description: '修理依頼を受け、業者手配を電話・FAX・メールで行う。',
  },
  {
    code: 'complaint',
    name: 'クレーム一次受付 (Complaint desk)',
    monthlyFeeYen: 13200,
    faqLimit: 10,
    reportRecipientsIncluded: 3,
    description: 'クレームの一次受付とエスカレーション。',
  },
  {
    code: 'mail_reply',
    name: 'メール返信代行 (Mail reply)',
    monthlyFeeYen: 11000,
    faqLimit: 10,
    reportRecipientsIncluded: 3,
    description: 'メールの受付と返信。',
  },
];

export const defaultOptions: PlanOption[] = [
  {
    code: 'tollfree_0120',
    name: '0120番号 (toll-free number)',
    monthlyFeeYen: 1000,
    description: '基本料。通話料はお客様負担 (call charges borne by the client).',
  },
  {
    code: 'extra_report_recipient',
    name: '報告先追加 (extra report recipient)',
    monthlyFeeYen: 220,
    description: '同時報告先の追加 1名あたり (per recipient beyond the included 3).',
  },
  {
    code: 'chatwork',
    name: 'Chatwork報告 (Chatwork reports)',
    monthlyFeeYen: 550,
    description: 'Chatworkのルームへ受電報告。',
  },
  {
    code: 'foreign_language',
    name: '外国語対応 (foreign-language handling)',
    monthlyFeeYen: 0,
    description: '料金は個別見積もり (priced per contract).',
  },
];

export class PlanService {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  list(): Promise<Plan[]> {
    return this.#store.read((r) => r.plans.list());
  }

  async get(code: string): Promise<Plan> {
    const p = await this.#store.read((r) => r.plans.get(code));
    if (!p) throw new AppError('plan.not_found', `no plan '${code}'`);
    return p;
  }

  listOptions(): Promise<PlanOption[]> {
    return this.#store.read((r) => r.plans.listOptions());
  }

  create(actor: Actor, plan: Plan): Promise<Plan> {
    return this.#store.write(actor, async (tx) => {
      if (await tx.repos.plans.get(plan.code))
        throw new AppError('plan.duplicate', `plan '${plan.code}' exists`);
      await tx.repos.plans.insert(plan, tx.now);
      await tx.audit({
        action: 'plan.create',
        entityType: 'plan',
        entityId: plan.code,
        tenantId: null,
        after: plan,
      });
      return plan;
    });
  }

  update(actor: Actor, code: string, patch: Partial<Omit<Plan, 'code'>>): Promise<Plan> {
    return this.#store.write(actor, async (tx) => {
      const before = await tx.repos.plans.get(code);
      if (!before) throw new AppError('plan.not_found', `no plan '${code}'`);
      const after: Plan = { ...before, ...patch, code };
      await tx.repos.plans.update(after, tx.now);
      await tx.audit({
        action: 'plan.update',
        entityType: 'plan',
        entityId: code,
        tenantId: null,
        before,
        after,
      });
      return after;
    });
  }

  /** Inserts the default catalogue into an empty database (idempotent). */
  async seedDefaults(actor: Actor): Promise<void> {
    await this.#store.write(actor, async (tx) => {
      if ((await tx.repos.plans.list()).length === 0) {
        for (const p of defaultPlans) await tx.repos.plans.insert(p, tx.now);
      }
      if ((await tx.repos.plans.listOptions()).length === 0) {
        for (const o of defaultOptions) await tx.repos.plans.insertOption(o);
      }
    });
  }
}
