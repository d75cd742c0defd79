/**
 * How call reports reach a client: exactly one channel per client (PRODUCT.md "Call
 * reports"). The data is one tagged object, so "two channels at once" cannot be stored.
 * Delivery itself is a later capability; here the settings are validated and kept.
 */
import { AppError } from '../errors.ts';
import { isWebhookUrl, normaliseEmail } from './validation.ts';

export type ReportChannel =
  | { kind: 'none' }
  /** mode named: to the named employee, else the responsible person; fixed: these addresses. */
  | { kind: 'email'; mode: 'named' | 'fixed'; fixedRecipients: string[] }
  | { kind: 'chatwork'; roomId: string; fallbackEmail?: string }
  | { kind: 'slack'; webhookUrl: string; fallbackEmail?: string }
  | { kind: 'teams'; webhookUrl: string; fallbackEmail?: string }
  | { kind: 'line_works'; webhookUrl: string; fallbackEmail?: string }
  | { kind: 'webhook'; url: string; fallbackEmail?: string };

export const reportChannelKinds = [
  'none',
  'email',
  'chatwork',
  'slack',
  'teams',
  'line_works',
  'webhook',
] as const;

const fail = (detail: string): never => {
  throw new AppError('tenant.report_channel_invalid', detail);
};

/** A chat channel may name an e-mail address to use when chat delivery fails for good. */
function fallback(input: Record<string, unknown>): { fallbackEmail?: string } {
  return input.fallbackEmail
    ? { fallbackEmail: normaliseEmail(String(input.fallbackEmail), 'reportChannel.fallbackEmail') }
    : {};
}

/** Validates untrusted input into a ReportChannel (the API schema checked only the shape). */
export function normaliseReportChannel(input: Record<string, unknown>): ReportChannel {
  const kind = input.kind;
  switch (kind) {
    case 'none':
      return { kind };
    case 'email': {
      const mode = input.mode ?? 'named';
      if (mode !== 'named' && mode !== 'fixed')
        fail(`email mode '${String(mode)}' is not named or fixed`);
      const raw = input.fixedRecipients ?? [];
      if (!Array.isArray(raw)) return fail('fixedRecipients must be a list of e-mail addresses');
      const fixedRecipients = raw.map((r, i) =>
        normaliseEmail(String(r), `reportChannel.fixedRecipients[${i}]`),
      );
      if (new Set(fixedRecipients.map((r) => r.toLowerCase())).size !== fixedRecipients.length)
        fail('fixedRecipients lists an address twice');
      if (mode === 'fixed' && fixedRecipients.length === 0)
        fail('fixed mode needs at least one recipient');
      return { kind, mode: mode as 'named' | 'fixed', fixedRecipients };
    }
    case 'chatwork': {
      const roomId = String(input.roomId ?? '');
      if (!/^\d{1,20}$/.test(roomId)) fail(`Chatwork room id '${roomId}' must be digits`);
      return { kind, roomId, ...fallback(input) };
    }
    case 'slack':
    case 'teams':
    case 'line_works': {
      const webhookUrl = String(input.webhookUrl ?? '');
      if (!isWebhookUrl(webhookUrl)) fail(`${kind} webhookUrl must be an https URL`);
      return { kind, webhookUrl, ...fallback(input) };
    }
    case 'webhook': {
      const url = String(input.url ?? '');
      if (!isWebhookUrl(url)) fail('webhook url must be an https URL');
      return { kind, url, ...fallback(input) };
    }
    default:
      return fail(
        `unknown channel kind '${String(kind)}'; one of ${reportChannelKinds.join(', ')}`,
      );
  }
}
