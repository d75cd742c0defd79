/**
 * What a session needs from the endpoint that owns it (kept narrow so sessions never see
 * the endpoint class itself: pjsip's dialog-usage / endpoint split).
 */
import type { Clock } from '../clock/clock.ts';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import type { Channel, TransactionContext } from '../transaction/transaction-types.ts';
import type { SocketAddress } from '../transport/response-routing.ts';
import type { InviteSession } from './invite-session.ts';

export interface SessionHost {
  readonly clock: Clock;
  readonly context: TransactionContext;
  readonly transactions: TransactionLayer;
  /** Our Contact value, e.g. "<sip:uketsuke@127.0.0.1:5060>". */
  readonly contact: string;
  /** A Via value with a fresh branch (§8.1.1.7). */
  newVia(): string;
  newTag(): string;
  channel(to: SocketAddress): Channel;
  /** Enter or leave the dialog table (key from dialogKey). */
  registerDialog(key: string, session: InviteSession): void;
  unregisterDialog(key: string): void;
  /** The session ended (called once, just before its 'ended' event). */
  sessionEnded(session: InviteSession): void;
}
