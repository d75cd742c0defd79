/**
 * Rating: the carrier charges a call causes that the client bears (PRODUCT.md, "Plans and
 * billing": "0120 number … call charges borne by the client"; "the forwarded leg is paid by
 * the client"). Pure functions; the tariffs are configuration (service admins set them from
 * their carrier contracts) and amounts are integer sen (1 sen = ¥0.01, tax excluded) so sums
 * never drift.
 *
 * What is charged to the client:
 * - the inbound leg of a call to a toll-free number (0120, 0800: 着信課金), from answer to
 *   release, by the caller's line class (carriers price calls from mobiles and fixed lines
 *   differently). A call that only heard early media (183, announcement-only) was never
 *   answered and costs nothing — which is why announcement-only numbers use 183;
 * - every outbound leg we place to a telephone number (forwarding, self-answer to the
 *   client's phone, dial), from answer to release, by the destination's class.
 * Calls to 03/050 numbers are paid by the caller, and legs to SIP URIs cross no carrier:
 * neither produces a line. A chargeable leg with no matching tariff is rated `unrated` and
 * the call is marked incomplete: billing must never take a missing tariff for ¥0.
 */

/** What kind of line a number is on (Japanese numbering plan, by E.164 prefix). */
export const lineClasses = [
  'geographic',
  'mobile',
  'ip',
  'toll_free',
  'other',
  'international',
  'unknown',
] as const;
export type LineClass = (typeof lineClasses)[number];

export const tariffKinds = ['toll_free_inbound', 'outbound'] as const;
export type TariffKind = (typeof tariffKinds)[number];

/** One price: per started unit of `unitSeconds` for a kind of leg and peer line class. */
export interface Tariff {
  id: string;
  kind: TariffKind;
  /** The caller's class (toll-free inbound) or the destination's (outbound); 'any' matches all. */
  peerClass: LineClass | 'any';
  unitSeconds: number;
  /** Price of one started unit in sen (¥9.35 = 935), tax excluded. */
  pricePerUnitSen: number;
  description: string;
}

/** A leg as the call record keeps it (call_legs). */
export interface RatedLegInput {
  id: string;
  /** The far end: E.164 for a telephone number; anything else (a SIP URI) is on-net. */
  peer: string;
  answeredAt: string | null;
  endedAt: string | null;
}

export interface RatingInput {
  /** Our number the caller dialled, E.164. */
  dialed: string;
  /** The caller's number, E.164, or null when withheld/unknown. */
  caller: string | null;
  answeredAt: string | null;
  endedAt: string;
  /** Legs we placed towards other parties (forwarding, dial). */
  outboundLegs: RatedLegInput[];
}

export interface ChargeLine {
  /** 'inbound' or the id of the outbound leg. */
  leg: string;
  kind: TariffKind;
  peer: string | null;
  peerClass: LineClass;
  seconds: number;
  units: number;
  unitSeconds: number;
  pricePerUnitSen: number;
  amountSen: number;
  /** The tariff applied; null when none matched (the line is unrated, amount 0). */
  tariffId: string | null;
}

export interface CallCharges {
  totalSen: number;
  /** False when a chargeable leg had no tariff: the total is a lower bound. */
  complete: boolean;
  lines: ChargeLine[];
}

const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * A telephone number as E.164, from E.164 or Japanese national form ("03-1234-5678",
 * "0120500001"); null for anything else (SIP URIs, "anonymous").
 */
export function telephoneNumber(raw: string | null): string | null {
  if (!raw) return null;
  const s = raw
    .trim()
    .replace(/^tel:/, '')
    .replace(/[\s\-()]/g, '');
  if (E164.test(s)) return s;
  if (/^0\d{9,10}$/.test(s)) return `+81${s.slice(1)}`;
  return null;
}

/** The line class of an E.164 number (Japanese plan, +81). */
export function lineClassOf(number: string | null): LineClass {
  const e164 = telephoneNumber(number);
  if (!e164) return 'unknown';
  if (!e164.startsWith('+81')) return 'international';
  const national = e164.slice(3);
  // 0120 and 0800 first: 0800 shares its leading digits with 080 mobiles.
  if (national.startsWith('120') || national.startsWith('800')) return 'toll_free';
  if (/^[789]0/.test(national)) return 'mobile';
  if (national.startsWith('50')) return 'ip';
  // 0570 (navi dial), 020 (M2M/pager), 0990 and other non-geographic services.
  if (/^(570|20|990|180|910)/.test(national)) return 'other';
  return /^[1-9]/.test(national) ? 'geographic' : 'other';
}

/** Whole seconds from answer to release, rounded up (a started second counts). */
export function billableSeconds(answeredAt: string | null, endedAt: string | null): number {
  if (!answeredAt || !endedAt) return 0;
  const ms = Date.parse(endedAt) - Date.parse(answeredAt);
  return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** The tariff for a leg: an exact class beats 'any'. */
export function findTariff(
  tariffs: readonly Tariff[],
  kind: TariffKind,
  peerClass: LineClass,
): Tariff | undefined {
  return (
    tariffs.find((t) => t.kind === kind && t.peerClass === peerClass) ??
    tariffs.find((t) => t.kind === kind && t.peerClass === 'any')
  );
}

function line(
  tariffs: readonly Tariff[],
  leg: string,
  kind: TariffKind,
  peer: string | null,
  seconds: number,
): ChargeLine {
  const peerClass = lineClassOf(peer);
  const t = findTariff(tariffs, kind, peerClass);
  // No tariff: an unrated line (zero units) that marks the call incomplete.
  const units = t ? Math.ceil(seconds / t.unitSeconds) : 0;
  return {
    leg,
    kind,
    peer,
    peerClass,
    seconds,
    units,
    unitSeconds: t?.unitSeconds ?? 0,
    pricePerUnitSen: t?.pricePerUnitSen ?? 0,
    amountSen: units * (t?.pricePerUnitSen ?? 0),
    tariffId: t?.id ?? null,
  };
}

/** Rate one call. Legs with no talk time produce no line. */
export function rateCall(input: RatingInput, tariffs: readonly Tariff[]): CallCharges {
  const lines: ChargeLine[] = [];
  if (lineClassOf(input.dialed) === 'toll_free') {
    const seconds = billableSeconds(input.answeredAt, input.endedAt);
    const caller = telephoneNumber(input.caller);
    if (seconds > 0) lines.push(line(tariffs, 'inbound', 'toll_free_inbound', caller, seconds));
  }
  for (const leg of input.outboundLegs) {
    const peer = telephoneNumber(leg.peer);
    if (!peer) continue; // a SIP URI: on-net, no carrier charge
    const seconds = billableSeconds(leg.answeredAt, leg.endedAt);
    if (seconds > 0) lines.push(line(tariffs, leg.id, 'outbound', peer, seconds));
  }
  return {
    totalSen: lines.reduce((sum, l) => sum + l.amountSen, 0),
    complete: lines.every((l) => l.tariffId !== null),
    lines,
  };
}
