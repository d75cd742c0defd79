/**
 * What an inbound INVITE says about the call, read the way its trunk is configured:
 * which header carries the dialed number (Request-URI, To, or P-Called-Party-ID per
 * RFC 3455 §4.2) and the caller (P-Asserted-Identity per RFC 3325, or From), honouring
 * privacy (RFC 3323 `Privacy: id`/`header`, and the anonymous From of RFC 3261 §8.1.1.3).
 */
import type { CallerIdSource, DialedNumberSource } from '../repositories/trunk-repository.ts';

export interface InviteIdentity {
  requestUriUser: string | null;
  toUser: string | null;
  pCalledPartyIdUser: string | null;
  pAssertedIdentityUser: string | null;
  fromUser: string | null;
  /** The Privacy header's values, lower-cased (RFC 3323 §4.2). */
  privacy: string[];
}

export interface InboundOffer {
  dialed: string | null;
  /** The caller's number as sent, or null when withheld/anonymous. */
  caller: string | null;
  /** True when the caller asked us not to show their identity. */
  withheld: boolean;
}

/** Strips a tel: or SIP user part down to a dialable string (visual separators removed). */
export function dialable(user: string | null): string | null {
  if (!user) return null;
  // RFC 3966 §5.1.1 visual separators; a ;phone-context or other parameter is dropped.
  const u = decodeURIComponent(user)
    .split(';')[0]!
    .replace(/[-.()\s]/g, '');
  return /^\+?\d{2,20}$/.test(u) ? u : null;
}

export function readOffer(
  id: InviteIdentity,
  opts: { dialedFrom: DialedNumberSource; callerFrom: CallerIdSource },
): InboundOffer {
  const dialedUser =
    opts.dialedFrom === 'to'
      ? id.toUser
      : opts.dialedFrom === 'p_called_party_id'
        ? (id.pCalledPartyIdUser ?? id.requestUriUser)
        : id.requestUriUser;
  const callerUser =
    opts.callerFrom === 'p_asserted_identity'
      ? (id.pAssertedIdentityUser ?? id.fromUser)
      : id.fromUser;
  const withheld =
    id.privacy.some((p) => p === 'id' || p === 'header' || p === 'user') ||
    /^anonymous$/i.test(id.fromUser ?? '') ||
    dialable(callerUser) === null;
  return { dialed: dialable(dialedUser), caller: withheld ? null : dialable(callerUser), withheld };
}
