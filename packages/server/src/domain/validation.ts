import { AppError } from '../errors.ts';

/**
 * A practical e-mail check (RFC 5321 mailbox, ASCII or UTF-8 local part, a dotted domain).
 * Deliverability is proven only by sending; this refuses what can never be an address.
 */
export function normaliseEmail(input: string, field = 'email'): string {
  const email = input.trim();
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1).toLowerCase();
  const ok =
    at > 0 &&
    email.length <= 254 &&
    local.length <= 64 &&
    !/[\s<>(),;:\\"[\]@]/.test(local) &&
    !local.startsWith('.') &&
    !local.endsWith('.') &&
    !local.includes('..') &&
    /^(?=.{1,253}$)([a-z0-9\u00a1-\uffff]([a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+[a-z\u00a1-\uffff]{2,63}$/.test(
      domain,
    );
  if (!ok)
    throw new AppError('validation.email_invalid', `${field}: '${input}' is not an e-mail address`);
  return `${local}@${domain}`;
}

/** Canonical ISO-8601 UTC text (what the database stores), or a clear 400. */
export function normaliseInstant(input: string, field: string): string {
  const d = new Date(input);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(input)) {
    throw new AppError('request.invalid', `${field}: '${input}' is not an ISO-8601 date-time`, {
      errors: [{ path: field, message: 'expected an ISO-8601 date-time' }],
    });
  }
  return d.toISOString();
}

/** An https URL (http only to loopback, for local testing). */
export function isWebhookUrl(input: string): boolean {
  try {
    const u = new URL(input);
    if (u.protocol === 'https:') return true;
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}
