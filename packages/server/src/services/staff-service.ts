import { AppError } from '../errors.ts';
import { normalisePhone } from '../domain/phone-number.ts';
import { normaliseEmail, normaliseInstant } from '../domain/validation.ts';
import { uuidv7 } from '../ids.ts';
import type { Absence, AbsenceKind, Staff } from '../repositories/staff-repository.ts';
import type { Actor, Store, Tx } from './store.ts';
import { requireActiveTenant } from './tenant-guard.ts';

export interface StaffInput {
  name: string;
  nameKana?: string;
  department?: string;
  email?: string | null;
  phone?: string | null;
  chatIds?: Record<string, string>;
  reportTarget?: boolean;
}

export interface AbsenceInput {
  kind?: AbsenceKind;
  startsAt: string;
  endsAt: string;
  expectedReturnAt?: string | null;
  note?: string;
}

function contact(input: { email?: string | null; phone?: string | null }, before?: Staff) {
  return {
    email:
      input.email === undefined
        ? (before?.email ?? null)
        : input.email
          ? normaliseEmail(input.email)
          : null,
    phone:
      input.phone === undefined
        ? (before?.phone ?? null)
        : input.phone
          ? normalisePhone(input.phone)
          : null,
  };
}

function chatIds(
  input: Record<string, string> | undefined,
  before?: Staff,
): Record<string, string> {
  if (input === undefined) return before?.chatIds ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) {
    if (!/^[a-z_]{2,20}$/.test(k))
      throw new AppError('request.invalid', `chatIds: '${k}' is not a chat service name`);
    if (v.trim()) out[k] = v.trim();
  }
  return out;
}

/** The roster (社員名簿) and its absences. All lookups are scoped by tenant. */
export class StaffService {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  async list(tenantId: string): Promise<Staff[]> {
    return this.#store.read(async (r) => {
      if (!(await r.tenants.get(tenantId)))
        throw new AppError('tenant.not_found', `no client company ${tenantId}`);
      return r.staff.list(tenantId);
    });
  }

  async get(tenantId: string, id: string): Promise<Staff> {
    const s = await this.#store.read((r) => r.staff.get(tenantId, id));
    if (!s) throw new AppError('staff.not_found', `no staff member ${id}`);
    return s;
  }

  create(actor: Actor, tenantId: string, input: StaffInput): Promise<Staff> {
    return this.#store.write(actor, async (tx) => {
      await requireActiveTenant(tx, tenantId);
      const s: Staff = {
        id: uuidv7(tx.nowDate.getTime()),
        tenantId,
        position: await tx.repos.staff.nextPosition(tenantId),
        name: input.name.trim(),
        nameKana: input.nameKana?.trim() ?? '',
        department: input.department ?? '',
        ...contact(input),
        chatIds: chatIds(input.chatIds),
        reportTarget: input.reportTarget ?? true,
        createdAt: tx.now,
        updatedAt: tx.now,
      };
      await tx.repos.staff.insert(s);
      await tx.audit({
        action: 'staff.create',
        entityType: 'staff',
        entityId: s.id,
        tenantId,
        after: s,
      });
      return s;
    });
  }

  update(actor: Actor, tenantId: string, id: string, patch: Partial<StaffInput>): Promise<Staff> {
    return this.#store.write(actor, async (tx) => {
      await requireActiveTenant(tx, tenantId);
      const before = await this.#load(tx, tenantId, id);
      const after: Staff = {
        ...before,
        name: patch.name?.trim() ?? before.name,
        nameKana: patch.nameKana?.trim() ?? before.nameKana,
        department: patch.department ?? before.department,
        ...contact(patch, before),
        chatIds: chatIds(patch.chatIds, before),
        reportTarget: patch.reportTarget ?? before.reportTarget,
        updatedAt: tx.now,
      };
      await tx.repos.staff.update(after);
      await tx.audit({
        action: 'staff.update',
        entityType: 'staff',
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
      const before = await this.#load(tx, tenantId, id);
      await tx.repos.staff.delete(tenantId, id);
      await tx.audit({
        action: 'staff.delete',
        entityType: 'staff',
        entityId: id,
        tenantId,
        before,
      });
    });
  }

  /** Sets the roster order; the first listed becomes the responsible person. */
  reorder(actor: Actor, tenantId: string, ids: string[]): Promise<Staff[]> {
    return this.#store.write(actor, async (tx) => {
      await requireActiveTenant(tx, tenantId);
      const current = await tx.repos.staff.list(tenantId);
      const known = new Set(current.map((s) => s.id));
      if (
        ids.length !== current.length ||
        new Set(ids).size !== ids.length ||
        !ids.every((i) => known.has(i))
      ) {
        throw new AppError(
          'staff.order_mismatch',
          `expected the ${current.length} staff ids of this roster, each once`,
        );
      }
      for (const [position, id] of ids.entries())
        await tx.repos.staff.setPosition(tenantId, id, position, tx.now);
      await tx.audit({
        action: 'staff.reorder',
        entityType: 'tenant',
        entityId: tenantId,
        tenantId,
        before: current.map((s) => s.id),
        after: ids,
      });
      return tx.repos.staff.list(tenantId);
    });
  }

  async listAbsences(tenantId: string, staffId: string): Promise<Absence[]> {
    await this.get(tenantId, staffId);
    return this.#store.read((r) => r.staff.listAbsences(tenantId, staffId));
  }

  createAbsence(
    actor: Actor,
    tenantId: string,
    staffId: string,
    input: AbsenceInput,
  ): Promise<Absence> {
    return this.#store.write(actor, async (tx) => {
      await requireActiveTenant(tx, tenantId);
      await this.#load(tx, tenantId, staffId);
      const a: Absence = {
        id: uuidv7(tx.nowDate.getTime()),
        tenantId,
        staffId,
        kind: input.kind ?? 'out',
        ...period(input),
        note: input.note ?? '',
        createdAt: tx.now,
        updatedAt: tx.now,
      };
      await tx.repos.staff.insertAbsence(a);
      await tx.audit({
        action: 'absence.create',
        entityType: 'absence',
        entityId: a.id,
        tenantId,
        after: a,
      });
      return a;
    });
  }

  updateAbsence(
    actor: Actor,
    tenantId: string,
    staffId: string,
    id: string,
    patch: Partial<AbsenceInput>,
  ): Promise<Absence> {
    return this.#store.write(actor, async (tx) => {
      await requireActiveTenant(tx, tenantId);
      const before = await tx.repos.staff.getAbsence(tenantId, staffId, id);
      if (!before) throw new AppError('absence.not_found', `no absence ${id}`);
      const after: Absence = {
        ...before,
        kind: patch.kind ?? before.kind,
        ...period({
          startsAt: patch.startsAt ?? before.startsAt,
          endsAt: patch.endsAt ?? before.endsAt,
          expectedReturnAt:
            patch.expectedReturnAt === undefined ? before.expectedReturnAt : patch.expectedReturnAt,
        }),
        note: patch.note ?? before.note,
        updatedAt: tx.now,
      };
      await tx.repos.staff.updateAbsence(after);
      await tx.audit({
        action: 'absence.update',
        entityType: 'absence',
        entityId: id,
        tenantId,
        before,
        after,
      });
      return after;
    });
  }

  deleteAbsence(actor: Actor, tenantId: string, staffId: string, id: string): Promise<void> {
    return this.#store.write(actor, async (tx) => {
      await requireActiveTenant(tx, tenantId);
      const before = await tx.repos.staff.getAbsence(tenantId, staffId, id);
      if (!before) throw new AppError('absence.not_found', `no absence ${id}`);
      await tx.repos.staff.deleteAbsence(tenantId, id);
      await tx.audit({
        action: 'absence.delete',
        entityType: 'absence',
        entityId: id,
        tenantId,
        before,
      });
    });
  }

  async #load(tx: Tx, tenantId: string, id: string): Promise<Staff> {
    const s = await tx.repos.staff.get(tenantId, id);
    if (!s) throw new AppError('staff.not_found', `no staff member ${id}`);
    return s;
  }
}

function period(input: { startsAt: string; endsAt: string; expectedReturnAt?: string | null }) {
  const startsAt = normaliseInstant(input.startsAt, 'startsAt');
  const endsAt = normaliseInstant(input.endsAt, 'endsAt');
  if (endsAt < startsAt)
    throw new AppError('validation.date_range', `endsAt ${endsAt} is before startsAt ${startsAt}`);
  const expectedReturnAt = input.expectedReturnAt
    ? normaliseInstant(input.expectedReturnAt, 'expectedReturnAt')
    : null;
  return { startsAt, endsAt, expectedReturnAt };
}
