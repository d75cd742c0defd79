import type { TrunksTable } from '../db/schema.ts';
import { type Executor, fromBool, parseJson, toBool } from './executor.ts';

export const dialedNumberSources = ['request_uri', 'to', 'p_called_party_id'] as const;
export type DialedNumberSource = (typeof dialedNumberSources)[number];
export const callerIdSources = ['p_asserted_identity', 'from'] as const;
export type CallerIdSource = (typeof callerIdSources)[number];

/** Registration to the carrier (RFC 3261 §10) with digest credentials. */
export interface TrunkRegistration {
  registrar: string;
  username: string;
  password: string;
  expiresSec: number;
}

export const outboundNumberFormats = ['national', 'e164'] as const;
export type OutboundNumberFormat = (typeof outboundNumberFormats)[number];

/**
 * Where calls to phone numbers leave through this trunk: the carrier's SIP address
 * (`sip:203.0.113.10:5060`) and how the carrier wants numbers written in the Request-URI,
 * From and P-Asserted-Identity (national 0312345678 or E.164 +81312345678).
 */
export interface TrunkOutbound {
  target: string;
  numberFormat: OutboundNumberFormat;
}

/** A carrier SIP trunk as configuration. */
export interface Trunk {
  id: string;
  name: string;
  /** Source addresses calls may come from, as CIDRs (203.0.113.0/24, 2001:db8::/32). */
  allowedSources: string[];
  dialedNumberFrom: DialedNumberSource;
  callerIdFrom: CallerIdSource;
  registration: TrunkRegistration | null;
  /** Null: this trunk only takes calls in. */
  outbound: TrunkOutbound | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

const toTrunk = (r: TrunksTable): Trunk => ({
  id: r.id,
  name: r.name,
  allowedSources: parseJson<string[]>(r.allowed_sources, []),
  dialedNumberFrom: r.dialed_number_from as DialedNumberSource,
  callerIdFrom: r.caller_id_from as CallerIdSource,
  registration: parseJson<TrunkRegistration | null>(r.registration, null),
  outbound: parseJson<TrunkOutbound | null>(r.outbound, null),
  enabled: toBool(r.enabled),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class TrunkRepository {
  readonly #db: Executor;
  constructor(db: Executor) {
    this.#db = db;
  }

  async list(): Promise<Trunk[]> {
    return (await this.#db.selectFrom('trunks').selectAll().orderBy('name').execute()).map(toTrunk);
  }

  async get(id: string): Promise<Trunk | undefined> {
    const r = await this.#db
      .selectFrom('trunks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toTrunk(r);
  }

  async getByName(name: string): Promise<Trunk | undefined> {
    const r = await this.#db
      .selectFrom('trunks')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return r && toTrunk(r);
  }

  async insert(t: Trunk): Promise<void> {
    await this.#db
      .insertInto('trunks')
      .values({
        id: t.id,
        name: t.name,
        allowed_sources: JSON.stringify(t.allowedSources),
        dialed_number_from: t.dialedNumberFrom,
        caller_id_from: t.callerIdFrom,
        registration: t.registration ? JSON.stringify(t.registration) : null,
        outbound: t.outbound ? JSON.stringify(t.outbound) : null,
        enabled: fromBool(t.enabled),
        created_at: t.createdAt,
        updated_at: t.updatedAt,
      })
      .execute();
  }

  async update(t: Trunk): Promise<void> {
    await this.#db
      .updateTable('trunks')
      .set({
        name: t.name,
        allowed_sources: JSON.stringify(t.allowedSources),
        dialed_number_from: t.dialedNumberFrom,
        caller_id_from: t.callerIdFrom,
        registration: t.registration ? JSON.stringify(t.registration) : null,
        outbound: t.outbound ? JSON.stringify(t.outbound) : null,
        enabled: fromBool(t.enabled),
        updated_at: t.updatedAt,
      })
      .where('id', '=', t.id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('trunks').where('id', '=', id).execute();
  }
}
