import { normaliseJapanesePhone, normalisePhone } from '../domain/phone-number.ts';
import { AppError } from '../errors.ts';
import { uuidv7 } from '../ids.ts';
import type { BlockEntry, BlockKind } from '../repositories/block-list-repository.ts';
import type { Actor, Store } from './store.ts';
import { requireActiveTenant } from './tenant-guard.ts';

/**
 * A prefix as typed (national "0120", "050-12", or E.164 "+8150") in E.164 form. A national
 * prefix drops its trunk 0 and gains +81 (RFC 3966 / E.164 numbering).
 */
export function normalisePrefix(input: string): string {
  const digits = input.normalize('NFKC').replace(/[\s\-()]/g, '');
  if (/^\+[1-9]\d{0,14}$/.test(digits)) return digits;
  if (/^0\d{1,14}$/.test(digits)) return `+81${digits.slice(1)}`;
  throw new AppError(
    'validation.phone_invalid',
    `'${input}' is not a number prefix (e.g. 0120, 050-12 or +8150)`,
  );
}

/** Service-wide (tenantId null) and per-tenant block lists of numbers and prefixes. */
export class BlockListService {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  list(tenantId: string | null): Promise<BlockEntry[]> {
    return this.#store.read((r) => r.blockList.list(tenantId));
  }

  add(
    actor: Actor,
    tenantId: string | null,
    input: { kind: BlockKind; value: string; reason?: string },
  ): Promise<BlockEntry> {
    const value =
      input.kind === 'prefix'
        ? normalisePrefix(input.value)
        : input.value.trim().startsWith('+')
          ? normalisePhone(input.value, 'value')
          : normaliseJapanesePhone(input.value, 'value');
    return this.#store.write(actor, async (tx) => {
      if (tenantId) await requireActiveTenant(tx, tenantId);
      if (await tx.repos.blockList.find(tenantId, input.kind, value))
        throw new AppError('block.duplicate', `${value} is already blocked`);
      const e: BlockEntry = {
        id: uuidv7(tx.nowDate.getTime()),
        tenantId,
        kind: input.kind,
        value,
        reason: input.reason ?? '',
        createdAt: tx.now,
      };
      await tx.repos.blockList.insert(e);
      await tx.audit({
        action: 'block.add',
        entityType: 'block_entry',
        entityId: e.id,
        tenantId,
        after: e,
      });
      return e;
    });
  }

  remove(actor: Actor, tenantId: string | null, id: string): Promise<void> {
    return this.#store.write(actor, async (tx) => {
      const e = await tx.repos.blockList.get(tenantId, id);
      if (!e) throw new AppError('block.not_found', `no block-list entry ${id}`);
      await tx.repos.blockList.delete(id);
      await tx.audit({
        action: 'block.remove',
        entityType: 'block_entry',
        entityId: id,
        tenantId,
        before: e,
      });
    });
  }

  /** The first entry that blocks this caller for this tenant, if any. */
  async blocking(callerE164: string, tenantId: string | null): Promise<BlockEntry | undefined> {
    const hits = await this.#store.read((r) => r.blockList.matching(callerE164, tenantId));
    return hits.sort((a, b) =>
      a.kind === b.kind ? b.value.length - a.value.length : a.kind === 'number' ? -1 : 1,
    )[0];
  }
}
