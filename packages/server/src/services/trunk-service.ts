import { isIP } from 'node:net';
import { AppError } from '../errors.ts';
import { uuidv7 } from '../ids.ts';
import type {
  CallerIdSource,
  DialedNumberSource,
  Trunk,
  TrunkOutbound,
  TrunkRegistration,
} from '../repositories/trunk-repository.ts';
import type { Actor, Store } from './store.ts';

export interface TrunkInput {
  name: string;
  allowedSources: string[];
  dialedNumberFrom?: DialedNumberSource;
  callerIdFrom?: CallerIdSource;
  registration?: TrunkRegistration | null;
  outbound?: TrunkOutbound | null;
  enabled?: boolean;
}

/** The API never shows a stored password; it shows whether one is set. */
export type TrunkView = Omit<Trunk, 'registration'> & {
  registration: (Omit<TrunkRegistration, 'password'> & { passwordSet: boolean }) | null;
};

export function trunkView(t: Trunk): TrunkView {
  if (!t.registration) return { ...t, registration: null };
  const { password, ...rest } = t.registration;
  return { ...t, registration: { ...rest, passwordSet: password.length > 0 } };
}

/** An address or CIDR block: 203.0.113.5, 203.0.113.0/24, 2001:db8::/32. */
export function normaliseCidr(input: string): string {
  const [addr, len, extra] = input.trim().split('/');
  const family = isIP(addr ?? '');
  const max = family === 4 ? 32 : 128;
  const bits = len === undefined ? max : Number(len);
  if (
    !family ||
    extra !== undefined ||
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > max ||
    (len !== undefined && !/^\d+$/.test(len))
  ) {
    throw new AppError('trunk.invalid', `'${input}' is not an IP address or CIDR block`);
  }
  return `${addr}/${bits}`;
}

function registration(
  r: TrunkRegistration | null | undefined,
  before?: TrunkRegistration | null,
): TrunkRegistration | null {
  if (!r) return null;
  if (!/^sips?:[^\s]+$/.test(r.registrar))
    throw new AppError('trunk.invalid', `registrar '${r.registrar}' is not a sip: URI`);
  // An empty password in an update keeps the stored one (the API never returns it).
  const password = r.password === '' && before ? before.password : r.password;
  if (!password) throw new AppError('trunk.invalid', 'registration needs a password');
  return { registrar: r.registrar, username: r.username, password, expiresSec: r.expiresSec };
}

/** The carrier's address: a sip: URI naming a host (and port), without a user part. */
function outbound(o: TrunkOutbound | null | undefined): TrunkOutbound | null {
  if (!o) return null;
  const m = /^sips?:([^@\s;?]+)(;[^\s?]*)?$/.exec(o.target);
  if (!m)
    throw new AppError(
      'trunk.invalid',
      `outbound target '${o.target}' is not a sip: URI of a host, like sip:203.0.113.10:5060`,
    );
  return { target: o.target, numberFormat: o.numberFormat };
}

export class TrunkService {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  async list(): Promise<TrunkView[]> {
    return (await this.#store.read((r) => r.trunks.list())).map(trunkView);
  }

  /** Internal: with credentials, for the SIP layer. */
  listWithSecrets(): Promise<Trunk[]> {
    return this.#store.read((r) => r.trunks.list());
  }

  async get(id: string): Promise<TrunkView> {
    const t = await this.#store.read((r) => r.trunks.get(id));
    if (!t) throw new AppError('trunk.not_found', `no trunk ${id}`);
    return trunkView(t);
  }

  create(actor: Actor, input: TrunkInput): Promise<TrunkView> {
    const allowedSources = input.allowedSources.map(normaliseCidr);
    return this.#store.write(actor, async (tx) => {
      if (await tx.repos.trunks.getByName(input.name.trim()))
        throw new AppError('trunk.invalid', `a trunk named '${input.name}' exists`);
      const t: Trunk = {
        id: uuidv7(tx.nowDate.getTime()),
        name: input.name.trim(),
        allowedSources,
        dialedNumberFrom: input.dialedNumberFrom ?? 'request_uri',
        callerIdFrom: input.callerIdFrom ?? 'p_asserted_identity',
        registration: registration(input.registration),
        outbound: outbound(input.outbound),
        enabled: input.enabled ?? true,
        createdAt: tx.now,
        updatedAt: tx.now,
      };
      await tx.repos.trunks.insert(t);
      await tx.audit({
        action: 'trunk.create',
        entityType: 'trunk',
        entityId: t.id,
        tenantId: null,
        after: trunkView(t),
      });
      return trunkView(t);
    });
  }

  update(actor: Actor, id: string, patch: Partial<TrunkInput>): Promise<TrunkView> {
    return this.#store.write(actor, async (tx) => {
      const before = await tx.repos.trunks.get(id);
      if (!before) throw new AppError('trunk.not_found', `no trunk ${id}`);
      const after: Trunk = {
        ...before,
        name: patch.name?.trim() ?? before.name,
        allowedSources: patch.allowedSources
          ? patch.allowedSources.map(normaliseCidr)
          : before.allowedSources,
        dialedNumberFrom: patch.dialedNumberFrom ?? before.dialedNumberFrom,
        callerIdFrom: patch.callerIdFrom ?? before.callerIdFrom,
        registration:
          patch.registration === undefined
            ? before.registration
            : registration(patch.registration, before.registration),
        outbound: patch.outbound === undefined ? before.outbound : outbound(patch.outbound),
        enabled: patch.enabled ?? before.enabled,
        updatedAt: tx.now,
      };
      if (after.name !== before.name && (await tx.repos.trunks.getByName(after.name)))
        throw new AppError('trunk.invalid', `a trunk named '${after.name}' exists`);
      await tx.repos.trunks.update(after);
      await tx.audit({
        action: 'trunk.update',
        entityType: 'trunk',
        entityId: id,
        tenantId: null,
        before: trunkView(before),
        after: trunkView(after),
      });
      return trunkView(after);
    });
  }

  delete(actor: Actor, id: string): Promise<void> {
    return this.#store.write(actor, async (tx) => {
      const before = await tx.repos.trunks.get(id);
      if (!before) throw new AppError('trunk.not_found', `no trunk ${id}`);
      await tx.repos.trunks.delete(id);
      await tx.audit({
        action: 'trunk.delete',
        entityType: 'trunk',
        entityId: id,
        tenantId: null,
        before: trunkView(before),
      });
    });
  }
}
