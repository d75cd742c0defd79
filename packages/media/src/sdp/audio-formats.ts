/**
 * Recognising the audio formats we speak inside an SDP m= line: G.711 (RFC 3551 static
 * payload types 0 and 8, or any dynamic number mapped to PCMU/PCMA at 8000 Hz) and
 * telephone-event/8000 (RFC 4733 §7.1.1).
 */
import type { MediaDescription } from 'sdp-transform';
import type { G711Law } from '../g711/g711-codec.ts';

/** RFC 3551 Table 4: static assignments usable without an a=rtpmap. */
const STATIC_PT: Record<number, G711Law> = { 0: 'PCMU', 8: 'PCMA' };

export function payloadTypesOf(media: MediaDescription): number[] {
  const list = String(media.payloads ?? '').trim();
  if (list === '') return [];
  return list
    .split(/\s+/)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n >= 0 && n <= 127);
}

function rtpmapOf(media: MediaDescription, pt: number) {
  return media.rtp?.find((r) => r.payload === pt);
}

/** The G.711 law a payload type stands for in this m= line, if any. */
export function g711LawOf(media: MediaDescription, pt: number): G711Law | undefined {
  const map = rtpmapOf(media, pt);
  if (map === undefined) return STATIC_PT[pt];
  const name = map.codec.toUpperCase();
  if ((name === 'PCMU' || name === 'PCMA') && (map.rate ?? 8000) === 8000) {
    if (map.encoding === undefined || map.encoding === 1) return name;
  }
  return undefined;
}

/** The payload type of telephone-event/8000 in this m= line, if offered. */
export function telephoneEventPtOf(media: MediaDescription): number | undefined {
  for (const pt of payloadTypesOf(media)) {
    const map = rtpmapOf(media, pt);
    if (map?.codec.toLowerCase() === 'telephone-event' && map.rate === 8000) return pt;
  }
  return undefined;
}

/**
 * Parse an RFC 4733 events list ("0-15,66,70-72") into a set; absent means 0–15
 * (§2.4.1 default).
 */
export function parseEventList(list: string | undefined): Set<number> {
  const events = new Set<number>();
  if (list === undefined || list.trim() === '') {
    for (let e = 0; e <= 15; e++) events.add(e);
    return events;
  }
  for (const part of list.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let e = from; e <= Math.min(to, 255); e++) events.add(e);
  }
  return events;
}

/** Set of event codes → compact list, e.g. {0..15} → "0-15". */
export function formatEventList(events: Iterable<number>): string {
  const sorted = [...new Set(events)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function fmtpOf(media: MediaDescription, pt: number): string | undefined {
  return media.fmtp?.find((f) => f.payload === pt)?.config;
}
