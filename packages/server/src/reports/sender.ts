import type { Delivery, Report } from '../repositories/report-repository.ts';

/**
 * One channel's way of sending a delivery. Transient failures are retried with backoff;
 * permanent ones (a 5xx from SMTP, a 4xx other than 429 from an HTTP API) fail at once.
 */
export type SendResult =
  | { ok: true; detail?: string }
  | { ok: false; permanent: boolean; error: string; retryAfterMs?: number };

export interface Sender {
  send(delivery: Delivery, report: Report): Promise<SendResult>;
  close?(): Promise<void>;
}
