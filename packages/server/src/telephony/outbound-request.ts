/**
 * The INVITE for a new outbound leg: to a SIP URI as given (the client's own phone), or to
 * a phone number through a carrier trunk's outbound address, with the caller-ID rule:
 *
 *   Request-URI   sip:<number>@<trunk host>;user=phone   (RFC 3261 §19.1.6)
 *   From          the caller ID chosen by the flow (the original caller, or our number);
 *                 withheld → anonymous From (RFC 3261 §8.1.1.3) and Privacy: id (RFC 3323)
 *   P-Asserted-Identity  always our lent number: the identity the carrier holds us to on
 *                 this trunk (RFC 3325 §9.1); with Privacy: id the carrier keeps it from
 *                 the called party
 *
 * Numbers are written as the trunk wants them: national (0312345678) or E.164 (+81…).
 */
import type { DialOptions } from '../call-control/channel.ts';

export interface OutboundRequest {
  uri: string;
  from: string;
  to: string;
  headers: Array<[string, string]>;
}

function written(e164: string, format: 'national' | 'e164'): string {
  if (format === 'national' && e164.startsWith('+81')) return `0${e164.slice(3)}`;
  return e164;
}

/** Returns undefined for a phone number when there is no outbound route to carry it. */
export function outboundRequest(target: string, opts: DialOptions): OutboundRequest | undefined {
  if (/^sips?:/.test(target)) {
    return {
      uri: target,
      from: opts.callerId
        ? `<sip:${opts.callerId}@uketsuke.invalid>`
        : '"Anonymous" <sip:anonymous@anonymous.invalid>',
      to: `<${target}>`,
      headers: opts.callerId ? [] : [['Privacy', 'id']],
    };
  }
  const route = opts.route;
  if (!route || !/^\+\d{6,15}$/.test(target)) return undefined;
  const m = /^(sips?):([^;]+)(;.*)?$/.exec(route.target);
  if (!m) return undefined;
  const [, scheme, hostPort, params = ''] = m;
  const at = (user: string) => `${scheme}:${user}@${hostPort}`;
  const callee = written(target, route.numberFormat);
  const headers: Array<[string, string]> = [];
  if (opts.assertedId)
    headers.push([
      'P-Asserted-Identity',
      `<${at(written(opts.assertedId, route.numberFormat))};user=phone>`,
    ]);
  if (!opts.callerId) headers.push(['Privacy', 'id']);
  return {
    uri: `${at(callee)};user=phone${params}`,
    from: opts.callerId
      ? `<${at(written(opts.callerId, route.numberFormat))};user=phone>`
      : '"Anonymous" <sip:anonymous@anonymous.invalid>',
    to: `<${at(callee)};user=phone>`,
    headers,
  };
}
