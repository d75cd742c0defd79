/**
 * Addresses the stack must never send to on its own (RFC 4475 §3.3.10 "bcast": a Via
 * naming 255.255.255.255 must not make us broadcast), plus an optional policy hook.
 */
import { isIP } from 'node:net';

/** True for the unspecified, limited-broadcast and multicast addresses. */
export function isUnsafeDestination(address: string): boolean {
  const kind = isIP(address);
  if (kind === 4) {
    if (address === '255.255.255.255' || address === '0.0.0.0') return true;
    const first = Number(address.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  if (kind === 6) {
    const a = address.toLowerCase();
    return a === '::' || a.startsWith('ff');
  }
  return true; // not an IP literal: name resolution happens above the transport
}

/** True for 127.0.0.0/8 and ::1 — the only destinations tests may use. */
export function isLoopback(address: string): boolean {
  return (isIP(address) === 4 && address.startsWith('127.')) || address === '::1';
}
