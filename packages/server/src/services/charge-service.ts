import {
  type CallCharges,
  type LineClass,
  lineClasses,
  rateCall,
  type Tariff,
  type TariffKind,
  tariffKinds,
} from '../domain/rating.ts';
import { AppError } from '../errors.ts';
import { uuidv7 } from '../ids.ts';
import type { CallChargeRecord } from '../repositories/charge-repository.ts';
import type { Repositories } from '../repositories/index.ts';
import type { Actor, Store } from './store.ts';

export interface TariffInput {
  kind: TariffKind;
  peerClass: LineClass | 'any';
  unitSeconds: number;
  pricePerUnitSen: number;
  description?: string;
}

export interface ChargeSummary {
  tenantId: string;
  from: string;
  to: string;
  ratedCalls: number;
  /** Calls with a chargeable leg that no tariff matched: the total is a lower bound. */
  incompleteCalls: number;
  totalSen: number;
  byKind: Record<TariffKind, { seconds: number; amountSen: number }>;
}

/**
 * Rated charges (domain/rating.ts): the tariff sheet admins keep, rating of each call when
 * it ends, re-rating of a period after a tariff change, and per-tenant totals for invoices.
 */
export class ChargeService {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  tariffs(): Promise<Tariff[]> {
    return this.#store.read((r) => r.charges.tariffs());
  }

  replaceTariffs(actor: Actor, input: readonly TariffInput[]): Promise<Tariff[]> {
    const seen = new Set<string>();
    input.forEach((t, i) => {
      const where = `tariffs[${i}]`;
      if (!tariffKinds.includes(t.kind))
        throw new AppError(
          'tariff.invalid',
          `${where}: kind must be one of ${tariffKinds.join(', ')}`,
        );
      if (t.peerClass !== 'any' && !lineClasses.includes(t.peerClass))
        throw new AppError('tariff.invalid', `${where}: unknown peerClass '${t.peerClass}'`);
      if (!Number.isInteger(t.unitSeconds) || t.unitSeconds < 1 || t.unitSeconds > 3600)
        throw new AppError('tariff.invalid', `${where}: unitSeconds must be 1–3600`);
      if (!Number.isInteger(t.pricePerUnitSen) || t.pricePerUnitSen < 0)
        throw new AppError(
          'tariff.invalid',
          `${where}: pricePerUnitSen must be a whole number ≥ 0`,
        );
      const key = `${t.kind}/${t.peerClass}`;
      if (seen.has(key))
        throw new AppError('tariff.invalid', `${where}: a second tariff for ${key}`);
      seen.add(key);
    });
    return this.#store.write(actor, async (tx) => {
      const before = await tx.repos.charges.tariffs();
      const at = tx.nowDate.getTime();
      const after: Tariff[] = input.map((t) => ({
        id: uuidv7(at),
        kind: t.kind,
        peerClass: t.peerClass,
        unitSeconds: t.unitSeconds,
        pricePerUnitSen: t.pricePerUnitSen,
        description: t.description ?? '',
      }));
      await tx.repos.charges.replaceTariffs(after, tx.now);
      await tx.audit({
        action: 'tariffs.replace',
        entityType: 'tariffs',
        entityId: 'sheet',
        tenantId: null,
        before,
        after,
      });
      return tx.repos.charges.tariffs();
    });
  }

  /**
   * Rate one ended call and store the result (replacing an earlier rating). Calls without
   * a tenant (refused before routing) cost no client anything and are skipped.
   */
  rateCall(callId: string): Promise<CallChargeRecord | undefined> {
    return this.#store.transaction((r) =>
      rateAndSave(r, callId, this.#store.clock.now().toISOString()),
    );
  }

  async get(tenantId: string, callId: string): Promise<CallChargeRecord> {
    const c = await this.#store.read((r) => r.calls.get(callId));
    if (!c || c.tenantId !== tenantId) throw new AppError('call.not_found', `no call ${callId}`);
    // Calls are rated when they end; one that ended before its rating was stored (a crash
    // in between, or a record imported from elsewhere) is rated now.
    const charge =
      (await this.#store.read((r) => r.charges.get(callId))) ?? (await this.rateCall(callId));
    if (!charge) throw new AppError('charges.not_rated', `call ${callId} cannot be rated`);
    return charge;
  }

  async summary(tenantId: string, from: string, to: string): Promise<ChargeSummary> {
    if (!(from < to)) throw new AppError('validation.date_range', 'from must be before to');
    const rows = await this.#store.read((r) => r.charges.list(tenantId, from, to));
    const byKind = {
      toll_free_inbound: { seconds: 0, amountSen: 0 },
      outbound: { seconds: 0, amountSen: 0 },
    };
    for (const row of rows)
      for (const l of row.lines) {
        byKind[l.kind].seconds += l.seconds;
        byKind[l.kind].amountSen += l.amountSen;
      }
    return {
      tenantId,
      from,
      to,
      ratedCalls: rows.length,
      incompleteCalls: rows.filter((r) => !r.complete).length,
      totalSen: rows.reduce((s, r) => s + r.totalSen, 0),
      byKind,
    };
  }

  /** Rate again every call of a tenant offered in [from, to): after a tariff correction. */
  async rerate(actor: Actor, tenantId: string, from: string, to: string): Promise<number> {
    if (!(from < to)) throw new AppError('validation.date_range', 'from must be before to');
    return this.#store.write(actor, async (tx) => {
      let count = 0;
      let before: string | undefined;
      const now = tx.now;
      for (;;) {
        const page = await tx.repos.calls.list({ tenantId, from, to, before, limit: 200 });
        for (const c of page) if (await rateAndSave(tx.repos, c.id, now)) count++;
        if (page.length < 200) break;
        before = page[page.length - 1]?.id;
      }
      await tx.audit({
        action: 'charges.rerate',
        entityType: 'tenant',
        entityId: tenantId,
        tenantId,
        after: { from, to, calls: count },
      });
      return count;
    });
  }
}

async function rateAndSave(
  r: Repositories,
  callId: string,
  ratedAt: string,
): Promise<CallChargeRecord | undefined> {
  const call = await r.calls.get(callId);
  if (!call?.tenantId) return undefined;
  // The number's own E.164 form: the CDR keeps the dialled digits as the carrier sent them.
  const number = call.numberId ? await r.numbers.get(call.numberId) : undefined;
  const charges: CallCharges = rateCall(
    {
      dialed: number?.e164 ?? call.dialed,
      caller: call.callerWithheld ? null : call.caller,
      answeredAt: call.answeredAt,
      endedAt: call.endedAt,
      outboundLegs: await r.charges.outboundLegs(callId),
    },
    await r.charges.tariffs(),
  );
  const record: CallChargeRecord = {
    callId,
    tenantId: call.tenantId,
    callOfferedAt: call.offeredAt,
    ratedAt,
    ...charges,
  };
  await r.charges.save(record);
  return record;
}
