import { AppError } from '../errors.ts';
import {
  formatNational,
  type NumberKind,
  normaliseDestination,
  normaliseJapanesePhone,
  resolveKind,
} from '../domain/phone-number.ts';
import {
  effectiveNumberState,
  type NumberState,
  type UsageMode,
} from '../domain/phone-number-state.ts';
import { uuidv7 } from '../ids.ts';
import type { PhoneNumberRecord } from '../repositories/phone-number-repository.ts';
import type { Actor, Store, Tx } from './store.ts';
import { requireActiveTenant } from './tenant-guard.ts';

/** What the API shows: the record, its national format, and the effective state. */
export interface PhoneNumberView extends PhoneNumberRecord {
  display: string;
}

export interface NumberInput {
  number: string;
  kind?: NumberKind;
  purpose?: string;
  note?: string;
  canOriginate?: boolean;
}

export interface NumberPatch {
  kind?: NumberKind;
  purpose?: string;
  note?: string;
  destination?: string | null;
  canOriginate?: boolean;
  usageMode?: UsageMode;
  flowId?: string | null;
}

export interface AssignInput {
  tenantId: string;
  usageMode: UsageMode;
  purpose?: string;
  destination?: string | null;
}

const view = (n: PhoneNumberRecord, now: Date): PhoneNumberView => ({
  ...n,
  state: effectiveNumberState(n.state, n.quarantinedUntil, now),
  display: formatNational(n.e164),
});

/** Self-answer and forwarding need somewhere to send the call; announcement-only never does. */
function checkDestination(mode: UsageMode, destination: string | null, selfAnswer: boolean): void {
  if (mode === 'announcement_only' && destination !== null) {
    throw new AppError(
      'number.destination_not_allowed',
      'an announcement-only number plays a message and hangs up',
    );
  }
  if (selfAnswer && destination === null) {
    throw new AppError(
      'number.destination_required',
      'self-answer needs the client phone to forward to',
    );
  }
}

/** Release a lent number into quarantine (also used when a tenant is cancelled). */
export async function releaseNumber(
  tx: Tx,
  n: PhoneNumberRecord,
  quarantineDays: number,
): Promise<PhoneNumberRecord> {
  if (n.state !== 'assigned')
    throw new AppError('number.not_assigned', `${formatNational(n.e164)} is not lent`);
  const until = new Date(tx.nowDate.getTime() + quarantineDays * 86_400_000).toISOString();
  const after: PhoneNumberRecord = {
    ...n,
    state: 'quarantined',
    tenantId: null,
    usageMode: null,
    destination: null,
    selfAnswer: false,
    flowId: null,
    quarantinedUntil: until,
    updatedAt: tx.now,
  };
  await tx.repos.numbers.update(after);
  await tx.audit({
    action: 'number.release',
    entityType: 'number',
    entityId: n.id,
    tenantId: n.tenantId,
    before: n,
    after,
  });
  return after;
}

export class PhoneNumberService {
  readonly #store: Store;
  readonly #quarantineDays: number;
  constructor(store: Store, opts: { quarantineDays: number }) {
    this.#store = store;
    this.#quarantineDays = opts.quarantineDays;
  }

  async list(filter: {
    tenantId?: string;
    state?: NumberState;
    kind?: NumberKind;
  }): Promise<PhoneNumberView[]> {
    const now = this.#store.clock.now();
    // Quarantine ends by time, so filter on the effective state, not the stored one.
    const { state, ...rest } = filter;
    const rows = await this.#store.read((r) => r.numbers.list(rest));
    return rows.map((n) => view(n, now)).filter((n) => state === undefined || n.state === state);
  }

  async get(id: string, tenantId?: string): Promise<PhoneNumberView> {
    const n = await this.#store.read((r) => r.numbers.get(id));
    if (!n || (tenantId !== undefined && n.tenantId !== tenantId))
      throw new AppError('number.not_found', `no number ${id}`);
    return view(n, this.#store.clock.now());
  }

  /** Registers a number in the pool (available, not lent). */
  create(actor: Actor, input: NumberInput): Promise<PhoneNumberView> {
    return this.#store.write(actor, async (tx) => {
      const e164 = normaliseJapanesePhone(input.number);
      if (await tx.repos.numbers.getByE164(e164)) {
        throw new AppError('number.duplicate', `${formatNational(e164)} is already registered`);
      }
      const n: PhoneNumberRecord = {
        id: uuidv7(tx.nowDate.getTime()),
        e164,
        kind: resolveKind(e164, input.kind),
        state: 'available',
        tenantId: null,
        usageMode: null,
        purpose: input.purpose ?? '',
        destination: null,
        selfAnswer: false,
        canOriginate: input.canOriginate ?? false,
        quarantinedUntil: null,
        note: input.note ?? '',
        flowId: null,
        createdAt: tx.now,
        updatedAt: tx.now,
      };
      await tx.repos.numbers.insert(n);
      await tx.audit({
        action: 'number.create',
        entityType: 'number',
        entityId: n.id,
        tenantId: null,
        after: n,
      });
      return view(n, tx.nowDate);
    });
  }

  update(actor: Actor, id: string, patch: NumberPatch): Promise<PhoneNumberView> {
    return this.#store.write(actor, async (tx) => {
      const before = await this.#load(tx, id);
      const after: PhoneNumberRecord = { ...before, updatedAt: tx.now };
      if (patch.usageMode !== undefined && patch.usageMode !== before.usageMode) {
        throw new AppError(
          'number.usage_mode_fixed',
          before.state === 'assigned'
            ? `${formatNational(before.e164)} is lent for ${before.usageMode}; release it and lend it again to change the mode`
            : 'a usage mode is set by lending the number (POST …/assignment)',
        );
      }
      if (patch.kind !== undefined) after.kind = resolveKind(before.e164, patch.kind);
      if (patch.purpose !== undefined) after.purpose = patch.purpose;
      if (patch.note !== undefined) after.note = patch.note;
      if (patch.canOriginate !== undefined) {
        if (patch.canOriginate && before.state === 'assigned') {
          throw new AppError(
            'number.lent_cannot_originate',
            `${formatNational(before.e164)} is lent to a client`,
          );
        }
        after.canOriginate = patch.canOriginate;
      }
      if (patch.destination !== undefined) {
        if (before.state !== 'assigned')
          throw new AppError('number.not_assigned', 'only a lent number has a destination');
        after.destination =
          patch.destination === null ? null : normaliseDestination(patch.destination);
        checkDestination(before.usageMode!, after.destination, after.selfAnswer);
      }
      if (patch.flowId !== undefined) {
        if (patch.flowId !== null) {
          if (before.state !== 'assigned')
            throw new AppError('number.not_assigned', 'only a lent number runs a call flow');
          const flow = await tx.repos.flows.get(patch.flowId);
          if (!flow) throw new AppError('flow.not_found', `no call flow ${patch.flowId}`);
          if (flow.tenantId !== before.tenantId)
            throw new AppError(
              'flow.wrong_tenant',
              'attach a flow of the client the number is lent to',
            );
        }
        after.flowId = patch.flowId;
      }
      await tx.repos.numbers.update(after);
      await tx.audit({
        action: 'number.update',
        entityType: 'number',
        entityId: id,
        tenantId: after.tenantId,
        before,
        after,
      });
      return view(after, tx.nowDate);
    });
  }

  /** Lends a number to a client with exactly one usage mode. */
  assign(actor: Actor, id: string, input: AssignInput): Promise<PhoneNumberView> {
    return this.#store.write(actor, async (tx) => {
      const before = await this.#load(tx, id);
      await requireActiveTenant(tx, input.tenantId);
      const state = effectiveNumberState(before.state, before.quarantinedUntil, tx.nowDate);
      if (state === 'assigned') {
        throw new AppError(
          'number.already_assigned',
          before.tenantId === input.tenantId
            ? `${formatNational(before.e164)} is already lent to this client for ${before.usageMode}; a lent number has exactly one usage mode`
            : `${formatNational(before.e164)} is lent to another client`,
        );
      }
      if (state === 'quarantined') {
        throw new AppError(
          'number.quarantined',
          `${formatNational(before.e164)} is in quarantine until ${before.quarantinedUntil}`,
        );
      }
      if (before.canOriginate) {
        throw new AppError(
          'number.lent_cannot_originate',
          `${formatNational(before.e164)} is set to place calls; clear that before lending it`,
        );
      }
      const destination = input.destination ? normaliseDestination(input.destination) : null;
      checkDestination(input.usageMode, destination, false);
      const after: PhoneNumberRecord = {
        ...before,
        state: 'assigned',
        tenantId: input.tenantId,
        usageMode: input.usageMode,
        purpose: input.purpose ?? before.purpose,
        destination,
        selfAnswer: false,
        quarantinedUntil: null,
        updatedAt: tx.now,
      };
      await tx.repos.numbers.update(after);
      await tx.audit({
        action: 'number.assign',
        entityType: 'number',
        entityId: id,
        tenantId: input.tenantId,
        before,
        after,
      });
      return view(after, tx.nowDate);
    });
  }

  release(actor: Actor, id: string): Promise<PhoneNumberView> {
    return this.#store.write(actor, async (tx) => {
      const n = await this.#load(tx, id);
      return view(await releaseNumber(tx, n, this.#quarantineDays), tx.nowDate);
    });
  }

  /** The client's self-answer toggle (PRODUCT.md: answer in person while in the office). */
  setSelfAnswer(
    actor: Actor,
    tenantId: string,
    id: string,
    enabled: boolean,
  ): Promise<PhoneNumberView> {
    return this.#store.write(actor, async (tx) => {
      const before = await this.#load(tx, id);
      if (before.tenantId !== tenantId) throw new AppError('number.not_found', `no number ${id}`);
      await requireActiveTenant(tx, tenantId);
      checkDestination(before.usageMode!, before.destination, enabled);
      const after = { ...before, selfAnswer: enabled, updatedAt: tx.now };
      await tx.repos.numbers.update(after);
      await tx.audit({
        action: 'number.self_answer',
        entityType: 'number',
        entityId: id,
        tenantId,
        before: { selfAnswer: before.selfAnswer },
        after: { selfAnswer: enabled },
      });
      return view(after, tx.nowDate);
    });
  }

  /** Removes a number from the pool; a lent number must be released first. */
  delete(actor: Actor, id: string): Promise<void> {
    return this.#store.write(actor, async (tx) => {
      const n = await this.#load(tx, id);
      if (n.state === 'assigned')
        throw new AppError('number.already_assigned', 'release the number before removing it');
      await tx.repos.numbers.delete(id);
      await tx.audit({
        action: 'number.delete',
        entityType: 'number',
        entityId: id,
        tenantId: null,
        before: n,
      });
    });
  }

  async #load(tx: Tx, id: string): Promise<PhoneNumberRecord> {
    const n = await tx.repos.numbers.get(id);
    if (!n) throw new AppError('number.not_found', `no number ${id}`);
    return n;
  }
}
