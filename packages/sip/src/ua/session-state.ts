/**
 * The life of an INVITE session (RFC 3261 §13, §15), seen from either side.
 *
 *   INVITE sent / received
 *          |
 *          V        1xx with To tag          2xx sent (UAS)
 *   +----------+ ----------------> +-------+ -----------> +----------+
 *   |  trying  |                   | early |              | accepted |
 *   +----------+ ---+              +-------+ ---+         +----------+
 *     |   |         | 2xx sent (UAS)   |        |              | ACK received
 *     |   |         +------------------|--------|------------->|
 *     |   | 2xx received, ACK sent     |        |              V
 *     |   +----------------------------|--------+-------> +-----------+
 *     |                                |  2xx received    | confirmed |
 *     | non-2xx final, CANCEL,         |                  +-----------+
 *     | timeout                        |                        | BYE (either side),
 *     V                                V                        | 481/408, ACK timeout
 *   +------------+ <-----------------------------------------------+
 *   | terminated |   (from every state)
 *   +------------+
 */
import type { TransitionTable } from '../transaction/state-machine.ts';

export type SessionState = 'trying' | 'early' | 'accepted' | 'confirmed' | 'terminated';

export const SESSION_TRANSITIONS: TransitionTable<SessionState> = {
  trying: ['early', 'accepted', 'confirmed', 'terminated'],
  early: ['accepted', 'confirmed', 'terminated'],
  accepted: ['confirmed', 'terminated'],
  confirmed: ['terminated'],
  terminated: [],
};
