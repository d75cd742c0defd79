/** Builders and a recording channel for transaction tests. */
import {
  type Channel,
  createResponse,
  type ManualClock,
  parseMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../src/index.ts';

export interface Sent {
  at: number;
  message: SipMessage;
}

export class RecordingChannel implements Channel {
  readonly reliable: boolean;
  readonly sent: Sent[] = [];
  readonly #clock: ManualClock;
  fail = false;

  constructor(clock: ManualClock, reliable = false) {
    this.#clock = clock;
    this.reliable = reliable;
  }

  send(message: SipMessage): void {
    if (this.fail) throw new Error('network unreachable');
    this.sent.push({ at: this.#clock.now(), message });
  }

  /** Send times in seconds. */
  get times(): number[] {
    return this.sent.map((s) => s.at / 1000);
  }

  get statuses(): Array<number | string> {
    return this.sent.map((s) =>
      s.message.kind === 'response' ? s.message.status : s.message.method,
    );
  }
}

export function request(method: string, branch = 'z9hG4bK-test-1', extra = ''): SipRequest {
  return parseMessage(
    [
      `${method} sip:bob@127.0.0.1:5070 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:5060;branch=${branch}`,
      'Max-Forwards: 70',
      'To: <sip:bob@127.0.0.1>',
      'From: <sip:alice@127.0.0.1>;tag=a1',
      'Call-ID: call-1@127.0.0.1',
      `CSeq: 1 ${method}`,
      ...(extra ? [extra] : []),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ) as SipRequest;
}

export function response(req: SipRequest, status: number): SipResponse {
  return createResponse(req, status, { toTag: 'b1' });
}
