import type { PlanOptionsTable, PlansTable } from '../db/schema.ts';
import type { Executor } from './executor.ts';

export interface Plan {
  code: string;
  name: string;
  monthlyFeeYen: number;
  /** null = unlimited */
  faqLimit: number | null;
  reportRecipientsIncluded: number;
  description: string;
}

export interface PlanOption {
  code: string;
  name: string;
  monthlyFeeYen: number;
  description: string;
}

const toPlan = (r: PlansTable): Plan => ({
  code: r.code,
  name: r.name,
  monthlyFeeYen: r.monthly_fee_yen,
  faqLimit: r.faq_limit,
  reportRecipientsIncluded: r.report_recipients_included,
  description: r.description,
});

export class PlanRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async list(): Promise<Plan[]> {
    const rows = await this.#db
      .selectFrom('plans')
      .selectAll()
      .orderBy('monthly_fee_yen')
      .orderBy('code')
      .execute();
    return rows.map(toPlan);
  }

  async get(code: string): Promise<Plan | undefined> {
    const r = await this.#db
      .selectFrom('plans')
      .selectAll()
      .where('code', '=', code)
      .executeTakeFirst();
    return r && toPlan(r);
  }

  async insert(p: Plan, now: string): Promise<void> {
    await this.#db
      .insertInto('plans')
      .values({
        code: p.code,
        name: p.name,
        monthly_fee_yen: p.monthlyFeeYen,
        faq_limit: p.faqLimit,
        report_recipients_included: p.reportRecipientsIncluded,
        description: p.description,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async update(p: Plan, now: string): Promise<void> {
    await this.#db
      .updateTable('plans')
      .set({
        name: p.name,
        monthly_fee_yen: p.monthlyFeeYen,
        faq_limit: p.faqLimit,
        report_recipients_included: p.reportRecipientsIncluded,
        description: p.description,
        updated_at: now,
      })
      .where('code', '=', p.code)
      .execute();
  }

  async listOptions(): Promise<PlanOption[]> {
    const rows = await this.#db.selectFrom('plan_options').selectAll().orderBy('code').execute();
    return rows.map((r: PlanOptionsTable) => ({
      code: r.code,
      name: r.name,
      monthlyFeeYen: r.monthly_fee_yen,
      description: r.description,
    }));
  }

  async getOption(code: string): Promise<PlanOption | undefined> {
    const r = await this.#db
      .selectFrom('plan_options')
      .selectAll()
      .where('code', '=', code)
      .executeTakeFirst();
    return (
      r && {
        code: r.code,
        name: r.name,
        monthlyFeeYen: r.monthly_fee_yen,
        description: r.description,
      }
    );
  }

  async insertOption(o: PlanOption): Promise<void> {
    await this.#db
      .insertInto('plan_options')
      .values({
        code: o.code,
        name: o.name,
        monthly_fee_yen: o.monthlyFeeYen,
        description: o.description,
      })
      .execute();
  }
}
