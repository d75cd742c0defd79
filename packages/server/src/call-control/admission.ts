/**
 * Whether we take an inbound call, and for whom. Every refusal is a SIP final response
 * with a reason (and a log line), never an exception:
 *
 *   unknown source address          403 Forbidden           (RFC 3261 §21.4.4)
 *   no dialed number                 484 Address Incomplete  (§21.4.15)
 *   number unknown / not lent        404 Not Found           (§21.4.5)
 *   number in quarantine             410 Gone                (§21.4.11)
 *   client not yet testing / suspended 480 Temporarily Unavailable (§21.4.18)
 *   withheld caller, policy reject   433 Anonymity Disallowed (RFC 5079)
 *   caller on a block list           603 Decline             (§21.6.2)
 */
import { BlockList, isIP } from 'node:net';
import { normaliseJapanesePhone, normalisePhone } from '../domain/phone-number.ts';
import { effectiveNumberState } from '../domain/phone-number-state.ts';
import type { PhoneNumberRecord } from '../repositories/phone-number-repository.ts';
import type { Tenant } from '../repositories/tenant-repository.ts';
import type { Trunk } from '../repositories/trunk-repository.ts';
import type { Services } from '../services/index.ts';
import type { InboundOffer } from './inbound-offer.ts';

export type Admission =
  | { kind: 'accept'; tenant: Tenant; number: PhoneNumberRecord; caller: string | null }
  | {
      kind: 'reject';
      status: 403 | 404 | 410 | 433 | 480 | 484 | 603;
      reason: string;
      /** Set when the call belongs to a client: the refusal goes into its call records. */
      tenantId: string | null;
      numberId: string | null;
      disposition: 'rejected' | 'blocked';
    };

/** The enabled trunk whose allowed sources include this address. */
export function trunkFor(trunks: Trunk[], address: string): Trunk | undefined {
  const family = isIP(address);
  if (!family) return undefined;
  return trunks.find((t) => {
    if (!t.enabled) return false;
    const list = new BlockList();
    for (const cidr of t.allowedSources) {
      const [net, bits] = cidr.split('/');
      const f = isIP(net!);
      if (f) list.addSubnet(net!, Number(bits), f === 4 ? 'ipv4' : 'ipv6');
    }
    return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  });
}

function normaliseDialed(dialed: string): string | null {
  try {
    return normaliseJapanesePhone(dialed);
  } catch {
    return null;
  }
}

export function normaliseCaller(caller: string | null): string | null {
  if (!caller) return null;
  try {
    return normalisePhone(caller);
  } catch {
    // An odd caller ID (short code, carrier test number) is kept as sent: still blockable.
    return caller.startsWith('+') ? caller : null;
  }
}

export async function admit(
  services: Services,
  offer: InboundOffer,
  now: Date,
): Promise<Admission> {
  const base = { tenantId: null, numberId: null, disposition: 'rejected' as const };
  if (!offer.dialed)
    return { kind: 'reject', status: 484, reason: 'no dialed number in the request', ...base };
  const e164 = normaliseDialed(offer.dialed);
  if (!e164)
    return {
      kind: 'reject',
      status: 404,
      reason: `'${offer.dialed}' is not a Japanese number we serve`,
      ...base,
    };
  const number = await services.store.read((r) => r.numbers.getByE164(e164));
  if (!number)
    return { kind: 'reject', status: 404, reason: `${e164} is not one of our numbers`, ...base };
  const state = effectiveNumberState(number.state, number.quarantinedUntil, now);
  if (state === 'quarantined')
    return { kind: 'reject', status: 410, reason: `${e164} is in quarantine`, ...base };
  if (state !== 'assigned' || !number.tenantId)
    return { kind: 'reject', status: 404, reason: `${e164} is not lent to a client`, ...base };
  const tenant = await services.store.read((r) => r.tenants.get(number.tenantId!));
  const owned = { tenantId: number.tenantId, numberId: number.id };
  if (!tenant || (tenant.state !== 'live' && tenant.state !== 'testing')) {
    return {
      kind: 'reject',
      status: 480,
      reason: `client is ${tenant?.state ?? 'missing'}`,
      ...owned,
      disposition: 'rejected',
    };
  }
  const caller = offer.withheld ? null : normaliseCaller(offer.caller);
  if (caller === null && tenant.anonymousPolicy === 'reject') {
    return {
      kind: 'reject',
      status: 433,
      reason: 'the client does not take calls with a withheld number',
      ...owned,
      disposition: 'blocked',
    };
  }
  if (caller) {
    const block = await services.blockList.blocking(caller, tenant.id);
    if (block) {
      return {
        kind: 'reject',
        status: 603,
        reason: `blocked (${block.kind} ${block.value}${block.reason ? `: ${block.reason}` : ''})`,
        ...owned,
        disposition: 'blocked',
      };
    }
  }
  return { kind: 'accept', tenant, number, caller };
}
