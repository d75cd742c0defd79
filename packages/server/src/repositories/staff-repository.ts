import type { AbsencesTable, StaffTable } from '../db/schema.ts';
import { type Executor, fromBool, parseJson, toBool } from './executor.ts';

/** A member of a client's roster (社員名簿). The first by position is the responsible person. */
export interface Staff {
  id: string;
  tenantId: string;
  position: number;
  name: string;
  nameKana: string;
  department: string;
  email: string | null;
  phone: string | null;
  /** Chat identities by service, e.g. { chatwork: "1234567", slack: "U012AB3CD" }. */
  chatIds: Record<string, string>;
  /** Whether call reports may be sent to this person. */
  reportTarget: boolean;
  createdAt: string;
  updatedAt: string;
}

export const absenceKinds = ['out', 'business_trip', 'leave', 'meeting', 'other'] as const;
export type AbsenceKind = (typeof absenceKinds)[number];

/** A period a staff member is away (出張・外出), with when they are expected back (帰社時間). */
export interface Absence {
  id: string;
  tenantId: string;
  staffId: string;
  kind: AbsenceKind;
  startsAt: string;
  endsAt: string;
  expectedReturnAt: string | null;
  note: string;
  createdAt: string;
  updatedAt: string;
}

const toStaff = (r: StaffTable): Staff => ({
  id: r.id,
  tenantId: r.tenant_id,
  position: r.position,
  name: r.name,
  nameKana: r.name_kana,
  department: r.department,
  email: r.email,
  phone: r.phone,
  chatIds: parseJson<Record<string, string>>(r.chat_ids, {}),
  reportTarget: toBool(r.report_target),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toStaffRow = (s: Staff): StaffTable => ({
  id: s.id,
  tenant_id: s.tenantId,
  position: s.position,
  name: s.name,
  name_kana: s.nameKana,
  department: s.department,
  email: s.email,
  phone: s.phone,
  chat_ids: JSON.stringify(s.chatIds),
  report_target: fromBool(s.reportTarget),
  created_at: s.createdAt,
  updated_at: s.updatedAt,
});

const toAbsence = (r: AbsencesTable): Absence => ({
  id: r.id,
  tenantId: r.tenant_id,
  staffId: r.staff_id,
  kind: r.kind as AbsenceKind,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  expectedReturnAt: r.expected_return_at,
  note: r.note,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toAbsenceRow = (a: Absence): AbsencesTable => ({
  id: a.id,
  tenant_id: a.tenantId,
  staff_id: a.staffId,
  kind: a.kind,
  starts_at: a.startsAt,
  ends_at: a.endsAt,
  expected_return_at: a.expectedReturnAt,
  note: a.note,
  created_at: a.createdAt,
  updated_at: a.updatedAt,
});

export class StaffRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async list(tenantId: string): Promise<Staff[]> {
    const rows = await this.#db
      .selectFrom('staff')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('position')
      .orderBy('id')
      .execute();
    return rows.map(toStaff);
  }

  /** Scoped by tenant: another tenant's staff id is simply not found. */
  async get(tenantId: string, id: string): Promise<Staff | undefined> {
    const r = await this.#db
      .selectFrom('staff')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toStaff(r);
  }

  async nextPosition(tenantId: string): Promise<number> {
    const r = await this.#db
      .selectFrom('staff')
      .select((eb) => eb.fn.max('position').as('p'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return r?.p === null || r?.p === undefined ? 0 : Number(r.p) + 1;
  }

  async insert(s: Staff): Promise<void> {
    await this.#db.insertInto('staff').values(toStaffRow(s)).execute();
  }

  async update(s: Staff): Promise<void> {
    const { id, tenant_id, created_at, ...rest } = toStaffRow(s);
    await this.#db
      .updateTable('staff')
      .set(rest)
      .where('tenant_id', '=', tenant_id)
      .where('id', '=', id)
      .execute();
  }

  async setPosition(tenantId: string, id: string, position: number, now: string): Promise<void> {
    await this.#db
      .updateTable('staff')
      .set({ position, updated_at: now })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.#db
      .deleteFrom('absences')
      .where('tenant_id', '=', tenantId)
      .where('staff_id', '=', id)
      .execute();
    await this.#db
      .deleteFrom('staff')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  async listAbsences(tenantId: string, staffId: string): Promise<Absence[]> {
    const rows = await this.#db
      .selectFrom('absences')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('staff_id', '=', staffId)
      .orderBy('starts_at')
      .execute();
    return rows.map(toAbsence);
  }

  async getAbsence(tenantId: string, staffId: string, id: string): Promise<Absence | undefined> {
    const r = await this.#db
      .selectFrom('absences')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('staff_id', '=', staffId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toAbsence(r);
  }

  async insertAbsence(a: Absence): Promise<void> {
    await this.#db.insertInto('absences').values(toAbsenceRow(a)).execute();
  }

  async updateAbsence(a: Absence): Promise<void> {
    const { id, tenant_id, staff_id, created_at, ...rest } = toAbsenceRow(a);
    await this.#db
      .updateTable('absences')
      .set(rest)
      .where('tenant_id', '=', tenant_id)
      .where('id', '=', id)
      .execute();
  }

  async deleteAbsence(tenantId: string, id: string): Promise<void> {
    await this.#db
      .deleteFrom('absences')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }
}
