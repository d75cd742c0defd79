import type {
  CallCharges,
  ChargeLine,
  LineClass,
  RatedLegInput,
  Tariff,
  TariffKind,
} from '../domain/rating.ts';
import { type Executor, fromBool, parseJson, toBool } from './executor.ts';

/** A call's rated charges as stored. */
export interface CallChargeRecord extends CallCharges {
  callId: string;
  tenantId: string;
  callOfferedAt: string;
  ratedAt: string;
}

/** Tariffs (configuration) and the charges rated for each call. */
export class ChargeRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async tariffs(): Promise<Tariff[]> {
    const rows = await this.#db
      .selectFrom('tariffs')
      .selectAll()
      .orderBy('kind')
      .orderBy('peer_class')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind as TariffKind,
      peerClass: r.peer_class as LineClass | 'any',
      unitSeconds: r.unit_seconds,
      pricePerUnitSen: r.price_per_unit_sen,
      description: r.description,
    }));
  }

  /** Replace the whole tariff table (it is small configuration, edited as one sheet). */
  async replaceTariffs(tariffs: readonly Tariff[], now: string): Promise<void> {
    await this.#db.deleteFrom('tariffs').execute();
    if (tariffs.length === 0) return;
    await this.#db
      .insertInto('tariffs')
      .values(
        tariffs.map((t) => ({
          id: t.id,
          kind: t.kind,
          peer_class: t.peerClass,
          unit_seconds: t.unitSeconds,
          price_per_unit_sen: t.pricePerUnitSen,
          description: t.description,
          created_at: now,
        })),
      )
      .execute();
  }

  /** The legs we placed for a call (everything but the caller's own leg). */
  async outboundLegs(callId: string): Promise<RatedLegInput[]> {
    const rows = await this.#db
      .selectFrom('call_legs')
      .select(['id', 'kind', 'peer', 'to_number', 'answered_at', 'ended_at'])
      .where('call_id', '=', callId)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    // A leg to a telephone number carries it in to_number (E.164); a leg to a SIP URI has
    // none and is rated as on-net.
    return rows
      .filter((r) => r.kind === 'outbound')
      .map((r) => ({
        id: r.id,
        peer: r.to_number ?? r.peer,
        answeredAt: r.answered_at,
        endedAt: r.ended_at,
      }));
  }

  /** Insert or replace a call's charges (re-rating after a tariff change replaces them). */
  async save(c: CallChargeRecord): Promise<void> {
    const values = {
      tenant_id: c.tenantId,
      call_offered_at: c.callOfferedAt,
      total_sen: c.totalSen,
      complete: fromBool(c.complete),
      lines: JSON.stringify(c.lines),
      rated_at: c.ratedAt,
    };
    await this.#db
      .insertInto('call_charges')
      .values({ call_id: c.callId, ...values })
      .onConflict((oc) => oc.column('call_id').doUpdateSet(values))
      .execute();
  }

  async get(callId: string): Promise<CallChargeRecord | undefined> {
    const r = await this.#db
      .selectFrom('call_charges')
      .selectAll()
      .where('call_id', '=', callId)
      .executeTakeFirst();
    return r && toCharge(r);
  }

  /** A tenant's rated calls whose offer time is in [from, to). */
  async list(tenantId: string, from: string, to: string): Promise<CallChargeRecord[]> {
    const rows = await this.#db
      .selectFrom('call_charges')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('call_offered_at', '>=', from)
      .where('call_offered_at', '<', to)
      .orderBy('call_offered_at')
      .orderBy('call_id')
      .execute();
    return rows.map(toCharge);
  }
}

function toCharge(r: {
  call_id: string;
  tenant_id: string;
  call_offered_at: string;
  total_sen: number;
  complete: number;
  lines: string;
  rated_at: string;
}): CallChargeRecord {
  return {
    callId: r.call_id,
    tenantId: r.tenant_id,
    callOfferedAt: r.call_offered_at,
    totalSen: Number(r.total_sen),
    complete: toBool(r.complete),
    lines: parseJson<ChargeLine[]>(r.lines, []),
    ratedAt: r.rated_at,
  };
}
