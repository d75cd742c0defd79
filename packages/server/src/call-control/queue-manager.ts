/**
 * The seam to the ACD (automatic call distribution). Operators and their states arrive
 * with the operator console; until one is available the embedded manager has nobody to
 * offer a call to, and says so at once, so flows overflow (busy announcement, callback).
 */
export interface QueueOffer {
  callId: string;
  tenantId: string;
  queue: string;
  maxWaitMs: number;
  maxQueueLength: number;
  /** Called while waiting, for position announcements. */
  onPosition?: (position: number) => void;
}

export type QueueResult =
  | { outcome: 'answered'; operatorId: string; waitMs: number; hungUpBy: 'caller' | 'callee' }
  | { outcome: 'timeout' | 'full' | 'no_operators'; waitMs: number };

export interface QueueManager {
  offer(offer: QueueOffer, signal: AbortSignal): Promise<QueueResult>;
}

/** No operators can log in yet: every offer overflows at once. */
export const noOperators: QueueManager = {
  async offer() {
    return { outcome: 'no_operators', waitMs: 0 };
  },
};
