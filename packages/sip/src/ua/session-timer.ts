/**
 * Session timers (RFC 4028), UAS side: when an INVITE carries Session-Expires, accept the
 * interval (422 + Min-SE below our minimum, §8.1), pick the refresher (the UAC when it
 * supports "timer", else us, §9), and put Session-Expires (and Require: timer when the UAC
 * supports it) in our 2xx. While the session lives, the refresher re-INVITEs every half
 * interval (§10), and the other side ends a session that was not refreshed in time with
 * BYE at expiry − min(32 s, interval / 3) (§10).
 */
import type { SipRequest } from '../message/sip-message.ts';

export interface SessionTimerPolicy {
  /** Smallest interval we accept, seconds (RFC 4028 §4: at least 90). Default 90. */
  minSE?: number;
}

export type SessionTimerOffer =
  | { kind: 'none' }
  | { kind: 'too-small'; minSE: number }
  | { kind: 'ok'; interval: number; refresher: 'uac' | 'uas'; uacSupports: boolean };

function optionTags(request: SipRequest, header: string): string[] {
  return request.headers
    .values(header)
    .flatMap((v) => v.split(','))
    .map((t) => t.trim().toLowerCase());
}

/** Read the INVITE's Session-Expires against our policy (§9). */
export function negotiateSessionTimer(
  request: SipRequest,
  policy: SessionTimerPolicy,
): SessionTimerOffer {
  const raw = request.headers.get('session-expires');
  if (raw === undefined) return { kind: 'none' };
  const m = /^\s*(\d{1,10})\s*(;.*)?$/.exec(raw);
  if (m === null) return { kind: 'none' };
  const interval = Number(m[1]);
  const minSE = Math.max(90, policy.minSE ?? 90);
  if (interval < minSE) return { kind: 'too-small', minSE };
  const uacSupports =
    optionTags(request, 'supported').includes('timer') ||
    optionTags(request, 'require').includes('timer');
  const asked = /;\s*refresher\s*=\s*(uac|uas)\b/i.exec(m[2] ?? '')?.[1]?.toLowerCase();
  // §9: a UAC without "timer" cannot refresh; otherwise honour its choice, else let it.
  const refresher = !uacSupports ? 'uas' : asked === 'uas' ? 'uas' : 'uac';
  return { kind: 'ok', interval, refresher, uacSupports };
}

/** Header fields for our 2xx (§9). */
export function sessionTimerHeaders(
  offer: Extract<SessionTimerOffer, { kind: 'ok' }>,
): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ['Session-Expires', `${offer.interval};refresher=${offer.refresher}`],
  ];
  if (offer.uacSupports) headers.push(['Require', 'timer']);
  return headers;
}
