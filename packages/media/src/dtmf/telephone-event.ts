/**
 * RFC 4733 telephone-event payload (§2.3) and the DTMF event codes (§3.2, Table 7).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     event     |E|R| volume    |          duration             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';

export const TELEPHONE_EVENT_PAYLOAD_SIZE = 4;
/** Our default dynamic payload type for telephone-event when we make the offer. */
export const DEFAULT_TELEPHONE_EVENT_PT = 101;
/** Event 16 (§3.2): hook flash. */
export const TELEPHONE_EVENT_FLASH = 16;

export type DtmfDigit =
  | '0'
  | '1'
  | '2'
  | '3'
  | '4'
  | '5'
  | '6'
  | '7'
  | '8'
  | '9'
  | '*'
  | '#'
  | 'A'
  | 'B'
  | 'C'
  | 'D';

const DIGITS = '0123456789*#ABCD';

export function isDtmfDigit(value: string): value is DtmfDigit {
  return value.length === 1 && DIGITS.includes(value);
}

/** DTMF digit → event code (0–9, * = 10, # = 11, A–D = 12–15). Lower-case a–d accepted. */
export function dtmfEventCode(digit: string): number {
  const code = DIGITS.indexOf(digit.toUpperCase());
  if (digit.length !== 1 || code < 0) {
    throw new MediaError(MediaErrorCode.DtmfInvalid, `not a DTMF digit: ${JSON.stringify(digit)}`);
  }
  return code;
}

/** Event code → digit, or undefined for non-DTMF events (e.g. 16 flash). */
export function dtmfDigitFromEvent(event: number): DtmfDigit | undefined {
  return event >= 0 && event < 16 ? (DIGITS[event] as DtmfDigit) : undefined;
}

export interface TelephoneEventPayload {
  /** Event code, 0..255. */
  event: number;
  /** E bit: this packet ends the event. */
  end: boolean;
  /** Power level as −dBm0, 0..63 (DTMF: 0..36 meaningful, §2.5.2.2). */
  volume: number;
  /** Duration in RTP timestamp units since the event's timestamp, 0..65535. */
  duration: number;
}

export function writeTelephoneEvent(
  out: Uint8Array,
  payload: TelephoneEventPayload,
  offset = 0,
): number {
  if (offset + TELEPHONE_EVENT_PAYLOAD_SIZE > out.length) {
    throw new MediaError(MediaErrorCode.BufferTooSmall, 'telephone-event does not fit');
  }
  out[offset] = payload.event & 0xff;
  // R bit is reserved: always sent as zero (§2.3).
  out[offset + 1] = (payload.end ? 0x80 : 0) | (payload.volume & 0x3f);
  out[offset + 2] = (payload.duration >> 8) & 0xff;
  out[offset + 3] = payload.duration & 0xff;
  return TELEPHONE_EVENT_PAYLOAD_SIZE;
}

/**
 * Decode the first event of a telephone-event payload into `into` (reused) or a new object.
 * Returns undefined when the payload is shorter than 4 octets. (Several events stacked in
 * one payload — §2.5.1.5 — are legal but unused by phones; only the first is read.)
 */
export function readTelephoneEvent(
  data: Uint8Array,
  offset = 0,
  length = data.length - offset,
  into?: TelephoneEventPayload,
): TelephoneEventPayload | undefined {
  if (length < TELEPHONE_EVENT_PAYLOAD_SIZE) return undefined;
  const out = into ?? { event: 0, end: false, volume: 0, duration: 0 };
  out.event = data[offset]!;
  out.end = (data[offset + 1]! & 0x80) !== 0;
  out.volume = data[offset + 1]! & 0x3f;
  out.duration = (data[offset + 2]! << 8) | data[offset + 3]!;
  return out;
}
