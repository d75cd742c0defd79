/**
 * DTMF carried in SIP INFO bodies (the out-of-band alternative to RFC 4733 that some
 * PBXs and carriers use). Neither format has an RFC; both are de-facto:
 *
 *   application/dtmf-relay   "Signal=5\r\nDuration=160\r\n"  (Cisco style; duration in ms;
 *                            some senders use 10/11 for * and #)
 *   application/dtmf         "5"  (the digit, or its RFC 4733 event code)
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';
import { type DtmfDigit, dtmfDigitFromEvent, isDtmfDigit } from './telephone-event.ts';

export const DTMF_RELAY_CONTENT_TYPE = 'application/dtmf-relay';
export const DTMF_CONTENT_TYPE = 'application/dtmf';

export interface SipInfoDtmf {
  digit: DtmfDigit;
  /** Duration in ms when the body carries one. */
  durationMs: number | undefined;
}

function invalid(body: string): MediaError {
  return new MediaError(
    MediaErrorCode.DtmfInvalid,
    `invalid DTMF INFO body: ${JSON.stringify(body)}`,
  );
}

/** A digit as written in INFO bodies: the character (any case) or the event code 0–15. */
function parseSignal(value: string, body: string): DtmfDigit {
  const v = value.trim().toUpperCase();
  if (isDtmfDigit(v)) return v;
  if (/^\d{1,2}$/.test(v)) {
    const digit = dtmfDigitFromEvent(Number(v));
    if (digit !== undefined) return digit;
  }
  throw invalid(body);
}

/** Parse an `application/dtmf-relay` body. Keys are case-insensitive; LF or CRLF lines. */
export function parseDtmfRelayBody(body: string): SipInfoDtmf {
  let digit: DtmfDigit | undefined;
  let durationMs: number | undefined;
  for (const line of body.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (key === 'signal') digit = parseSignal(value, body);
    else if (key === 'duration' && /^\d+$/.test(value)) durationMs = Number(value);
  }
  if (digit === undefined) throw invalid(body);
  return { digit, durationMs };
}

export function formatDtmfRelayBody(digit: string, durationMs = 160): string {
  const d = parseSignal(digit, digit);
  return `Signal=${d}\r\nDuration=${Math.round(durationMs)}\r\n`;
}

/** Parse an `application/dtmf` body: a single digit (or event code), whitespace ignored. */
export function parseDtmfBody(body: string): SipInfoDtmf {
  return { digit: parseSignal(body, body), durationMs: undefined };
}

export function formatDtmfBody(digit: string): string {
  return parseSignal(digit, digit);
}

/** Dispatch on the Content-Type (parameters ignored); undefined for other types. */
export function parseSipInfoDtmf(contentType: string, body: string): SipInfoDtmf | undefined {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === DTMF_RELAY_CONTENT_TYPE) return parseDtmfRelayBody(body);
  if (type === DTMF_CONTENT_TYPE) return parseDtmfBody(body);
  return undefined;
}
