/**
 * Contact (RFC 3261 §20.10): "*" or a list of name-addr/addr-spec with contact-params.
 * "*" is only meaningful in a REGISTER with Expires: 0 (§10.2.2); the registrar checks it.
 */
import { SipErrorCode, SipParseError } from '../errors.ts';
import { trimWsp } from '../grammar/charsets.ts';
import { splitList } from '../grammar/split-list.ts';
import { type NameAddr, parseNameAddr } from './name-addr.ts';

export type ContactList = { star: true } | { star: false; contacts: NameAddr[] };

/** Parse all Contact header field values of a message (each may hold a list). */
export function parseContacts(values: readonly string[]): ContactList {
  const items: string[] = [];
  for (const v of values) {
    // One element without a comma needs no split.
    if (!v.includes(',')) items.push(trimWsp(v));
    else items.push(...splitList(v, 'Contact'));
  }
  if (items.length === 1 && items[0] === '*') return { star: true };
  const contacts: NameAddr[] = [];
  for (const item of items) {
    if (item === '*') {
      throw new SipParseError(SipErrorCode.BadHeaderValue, '"*" must be alone', 'Contact');
    }
    if (item.length === 0) {
      throw new SipParseError(SipErrorCode.BadHeaderValue, 'empty Contact value', 'Contact');
    }
    contacts.push(parseNameAddr(item, 'Contact'));
  }
  return { star: false, contacts };
}
