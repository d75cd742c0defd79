import type { Executor } from './executor.ts';

export const blockKinds = ['number', 'prefix'] as const;
export type BlockKind = (typeof blockKinds)[number];

export interface BlockEntry {
  id: string;
  /** null = the service-wide list */
  tenantId: string | null;
  kind: BlockKind;
  /** E.164 number, or an E.164 prefix such as +8150 */
  value: string;
  reason: string;
  createdAt: string;
}

export class BlockListRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async list(tenantId: string | null): Promise<BlockEntry[]> {
    let q = this.#db.selectFrom('block_entries').selectAll();
    q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
    const rows = await q.orderBy('value').execute();
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      kind: r.kind as BlockKind,
      value: r.value,
      reason: r.reason,
      createdAt: r.created_at,
    }));
  }

  async find(
    tenantId: string | null,
    kind: BlockKind,
    value: string,
  ): Promise<BlockEntry | undefined> {
    return (await this.list(tenantId)).find((e) => e.kind === kind && e.value === value);
  }

  async get(tenantId: string | null, id: string): Promise<BlockEntry | undefined> {
    return (await this.list(tenantId)).find((e) => e.id === id);
  }

  async insert(e: BlockEntry): Promise<void> {
    await this.#db
      .insertInto('block_entries')
      .values({
        id: e.id,
        tenant_id: e.tenantId,
        kind: e.kind,
        value: e.value,
        reason: e.reason,
        created_at: e.createdAt,
      })
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('block_entries').where('id', '=', id).execute();
  }

  /**
   * The entries (service-wide and the tenant's) that match a caller: the exact number, or
   * any prefix of it. Prefixes of an E.164 number are few (≤ 15), so they are listed.
   */
  async matching(caller: string, tenantId: string | null): Promise<BlockEntry[]> {
    const prefixes = Array.from({ length: caller.length - 1 }, (_, i) => caller.slice(0, i + 2));
    let q = this.#db
      .selectFrom('block_entries')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('kind', '=', 'number'), eb('value', '=', caller)]),
          eb.and([eb('kind', '=', 'prefix'), eb('value', 'in', prefixes)]),
        ]),
      );
    q =
      tenantId === null
        ? q.where('tenant_id', 'is', null)
        : q.where((eb) => eb.or([eb('tenant_id', 'is', null), eb('tenant_id', '=', tenantId)]));
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      kind: r.kind as BlockKind,
      value: r.value,
      reason: r.reason,
      createdAt: r.created_at,
    }));
  }
}
