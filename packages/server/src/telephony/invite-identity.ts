/** Reads the identity headers of an INVITE into call control's SIP-agnostic shape. */
import { parseNameAddr, type SipRequest, type Uri } from '@uketsuke/sip';
import type { InviteIdentity } from '../call-control/inbound-offer.ts';

function userOf(uri: Uri | undefined): string | null {
  if (!uri) return null;
  if (uri.kind === 'sip') return uri.user ?? null;
  if (uri.kind === 'tel') return uri.number;
  return null;
}

function headerUser(request: SipRequest, name: string): string | null {
  const raw = request.headers.get(name);
  if (!raw) return null;
  try {
    return userOf(parseNameAddr(raw.split(',')[0]!.trim()).uri);
  } catch {
    return null;
  }
}

export function inviteIdentity(request: SipRequest): InviteIdentity {
  let fromUser: string | null = null;
  let toUser: string | null = null;
  try {
    fromUser = userOf(request.from.uri);
    toUser = userOf(request.to.uri);
  } catch {}
  return {
    requestUriUser: userOf(request.uri),
    toUser,
    pCalledPartyIdUser: headerUser(request, 'P-Called-Party-ID'),
    pAssertedIdentityUser: headerUser(request, 'P-Asserted-Identity'),
    fromUser,
    // RFC 3323 §4.2: Privacy: id; header; user; none; critical
    privacy: (request.headers.get('Privacy') ?? '')
      .split(/[;,]/)
      .map((p) => p.trim().toLowerCase())
      .filter(Boolean),
  };
}
