import type { Clock } from '../clock.ts';
import type { BusinessHours } from '../domain/call-flow/business-hours.ts';
import type { PhoneNumberRecord } from '../repositories/phone-number-repository.ts';
import type { Tenant } from '../repositories/tenant-repository.ts';
import type { CallChannel, OutboundRoute } from './channel.ts';
import type { QueueManager } from './queue-manager.ts';

export type Disposition =
  | 'answered_by_operator'
  | 'forwarded'
  | 'announcement'
  | 'voicemail'
  | 'callback_requested'
  | 'abandoned_in_queue'
  | 'abandoned'
  | 'blocked'
  | 'screened_out'
  | 'rejected'
  | 'failed'
  | 'completed';

/** Everything a verb may read or change about the call it is running in. */
export interface CallContext {
  readonly callId: string;
  readonly channel: CallChannel;
  readonly tenant: Tenant;
  readonly number: PhoneNumberRecord;
  /** E.164, or null when the caller withheld it (anonymous). */
  readonly caller: string | null;
  readonly clock: Clock;
  readonly queues: QueueManager;
  /** The carrier trunk that carries calls to phone numbers (dial), when one is set up. */
  readonly outboundRoute?: OutboundRoute | null;
  /** Variables set by gather (`into`). */
  readonly vars: Map<string, string>;
  businessHours(): BusinessHours | null;
  /** The outcome so far; the last verb that knows better overwrites it. */
  disposition: Disposition;
  /** Set when a verb leaves a callback task (and where a hang-up must not add another). */
  callbackTaskId: string | null;
  queueWaitMs: number | null;
  recording: string | null;
  /** Whether the call counts as handled for billing (not blocked/screened/prank). */
  billable: boolean;
  /**
   * Set by the session: notes the moment of answering (and starts the quality recording).
   * A verb that answers inside itself (dial, when the far end picks up) calls it.
   */
  markAnswered?: () => Promise<void>;
  /** Who ended a bridged call, when a verb knows better than the caller's channel. */
  endedBy?: 'caller' | 'callee' | 'platform';
  /** Leaves a callback task; returns its id. */
  createCallback(input: {
    callbackNumber: string;
    windowStart: string | null;
    windowEnd: string | null;
    reason: string;
    source: 'ivr' | 'missed' | 'abandoned';
  }): Promise<string>;
  /** A line for the call's trace (kept in the CDR for support). */
  trace(event: string): void;
}
