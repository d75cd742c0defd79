/**
 * NTP timestamps as used by RTCP (RFC 3550 §4): seconds since 1900-01-01 in the upper
 * 32 bits, binary fraction in the lower 32. LSR/DLSR use the "middle 32 bits" (16.16).
 */

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
export const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;

export interface NtpTimestamp {
  seconds: number;
  fraction: number;
}

/** Wall-clock milliseconds since the Unix epoch → NTP timestamp. */
export function ntpFromUnixMs(unixMs: number): NtpTimestamp {
  return { seconds: ntpSecondsFromUnixMs(unixMs), fraction: ntpFractionFromUnixMs(unixMs) };
}

/** The seconds half of {@link ntpFromUnixMs} (no object: for per-report code). */
export function ntpSecondsFromUnixMs(unixMs: number): number {
  return (Math.floor(unixMs / 1000) + NTP_UNIX_OFFSET_SECONDS) >>> 0;
}

/** The fraction half of {@link ntpFromUnixMs}. */
export function ntpFractionFromUnixMs(unixMs: number): number {
  const ms = unixMs - Math.floor(unixMs / 1000) * 1000;
  return Math.floor((ms / 1000) * 0x1_0000_0000) >>> 0;
}

/** The middle 32 bits (§6.4.1 LSR): low 16 bits of seconds, high 16 of fraction. */
export function ntpMiddle32(ntp: NtpTimestamp): number {
  return (((ntp.seconds & 0xffff) << 16) | (ntp.fraction >>> 16)) >>> 0;
}

/** A 16.16 fixed point duration (DLSR, RTT) in milliseconds. */
export function ntpShortToMs(units: number): number {
  return (units / 65536) * 1000;
}

export function msToNtpShort(ms: number): number {
  return Math.round((ms / 1000) * 65536) >>> 0;
}
