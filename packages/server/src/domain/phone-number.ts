/**
 * Japanese phone numbers: stored in E.164 (+81…), shown in national format (0120-959-002).
 * Validity comes from libphonenumber-js's full metadata; the kind of a lent number is derived
 * from its national prefix, never typed in by hand (only `fax` is declared, as a fax line is
 * an ordinary geographic/IP number put to another use).
 */
import { parsePhoneNumberWithError, type PhoneNumber } from 'libphonenumber-js/max';
import { AppError } from '../errors.ts';

export const numberKinds = ['0120', '0800', '03', '050', 'fax', 'other'] as const;
export type NumberKind = (typeof numberKinds)[number];

/** Full-width digits and hyphen variants, as typed on Japanese keyboards, are accepted. */
function normaliseInput(input: string): string {
  return input
    .normalize('NFKC')
    .replace(/[‐-―−ー]/g, '-')
    .trim();
}

function parse(input: string, field: string): PhoneNumber {
  const text = normaliseInput(input);
  if (!/^\+?[\d\s\-().]+$/.test(text)) {
    throw new AppError(
      'validation.phone_invalid',
      `${field}: '${input}' contains characters that are not part of a phone number`,
    );
  }
  let parsed: PhoneNumber;
  try {
    parsed = parsePhoneNumberWithError(text, 'JP');
  } catch {
    throw new AppError('validation.phone_invalid', `${field}: '${input}' is not a phone number`);
  }
  if (!parsed.isValid()) {
    throw new AppError('validation.phone_invalid', `${field}: '${input}' is not a valid number`);
  }
  return parsed;
}

/** Any valid number (Japanese by default, or international with +): returns E.164. */
export function normalisePhone(input: string, field = 'phone'): string {
  return parse(input, field).number;
}

/** A Japanese number only (the numbers we lend): returns E.164. */
export function normaliseJapanesePhone(input: string, field = 'number'): string {
  const p = parse(input, field);
  if (p.countryCallingCode !== '81') {
    throw new AppError('validation.phone_invalid', `${field}: '${input}' is not a Japanese number`);
  }
  return p.number;
}

/** The kind a number's prefix says it is (0120, 0800, 03, 050 or other). */
export function deriveKind(e164: string): Exclude<NumberKind, 'fax'> {
  if (!e164.startsWith('+81')) return 'other';
  const nsn = e164.slice(3);
  // National significant numbers: 0120-XXX-XXX has 9 digits, 0800-XXX-XXXX 10,
  // 03-XXXX-XXXX 9 (Tokyo, area code 3), 050-XXXX-XXXX 10 (IP phone).
  if (nsn.startsWith('120') && nsn.length === 9) return '0120';
  if (nsn.startsWith('800') && nsn.length === 10) return '0800';
  if (nsn.startsWith('3') && nsn.length === 9) return '03';
  if (nsn.startsWith('50') && nsn.length === 10) return '050';
  return 'other';
}

/**
 * The kind to store: the derived one, or `fax` when asked for on a number that can carry
 * fax (not a toll-free number). Any other requested kind must match the derived one.
 */
export function resolveKind(e164: string, requested: NumberKind | undefined): NumberKind {
  const derived = deriveKind(e164);
  if (requested === undefined || requested === derived) return derived;
  if (requested === 'fax' && derived !== '0120' && derived !== '0800') return 'fax';
  throw new AppError(
    'number.kind_mismatch',
    `${formatNational(e164)} is a ${derived} number, not ${requested}`,
  );
}

/** 0120-959-002, 03-1234-5678; international numbers keep their + form. */
export function formatNational(e164: string): string {
  try {
    const p = parsePhoneNumberWithError(e164);
    return p.countryCallingCode === '81' ? p.formatNational() : p.formatInternational();
  } catch {
    return e164;
  }
}

/** Accepts a phone number (→ E.164) or a sip:/sips: URI (kept as written). */
export function normaliseDestination(input: string, field = 'destination'): string {
  const text = input.trim();
  if (/^sips?:/i.test(text)) {
    // RFC 3261 §19.1.1: sip:user@host[:port][;params]; a host is required.
    if (
      !/^sips?:([^@\s;?]+@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?([;?][^\s]*)?$/i.test(
        text,
      )
    ) {
      throw new AppError(
        'validation.sip_uri_invalid',
        `${field}: '${input}' is not a valid SIP URI`,
      );
    }
    return text;
  }
  return normalisePhone(text, field);
}
