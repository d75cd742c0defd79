/**
 * SDP stream directions (RFC 4566 §6, RFC 3264 §5.1/§6.1), from the point of view of the
 * endpoint that wrote the description.
 */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export const MEDIA_DIRECTIONS: readonly MediaDirection[] = [
  'sendrecv',
  'sendonly',
  'recvonly',
  'inactive',
];

export function directionSends(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}

export function directionReceives(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}

export function directionFrom(sends: boolean, receives: boolean): MediaDirection {
  if (sends) return receives ? 'sendrecv' : 'sendonly';
  return receives ? 'recvonly' : 'inactive';
}

/** The same stream seen from the other end: sendonly ↔ recvonly. */
export function reverseDirection(d: MediaDirection): MediaDirection {
  return directionFrom(directionReceives(d), directionSends(d));
}

/**
 * RFC 3264 §6.1: the answer's direction for an offered one. We may send only if the
 * offerer receives, and receive only if it sends; within that, `local` says what we want
 * (e.g. 'sendonly' when we put the call on hold). Offer sendonly (hold) → answer recvonly;
 * offer recvonly → sendonly; offer inactive → inactive.
 */
export function answerDirection(
  offered: MediaDirection,
  local: MediaDirection = 'sendrecv',
): MediaDirection {
  const peer = reverseDirection(offered);
  return directionFrom(
    directionSends(peer) && directionSends(local),
    directionReceives(peer) && directionReceives(local),
  );
}
