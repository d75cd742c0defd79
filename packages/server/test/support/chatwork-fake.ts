/**
 * A local stand-in for the Chatwork API v2 (the SaaS cannot run here), following its
 * documented contract for `POST /v2/rooms/{room_id}/messages`:
 *   - `X-ChatWorkToken` must be the token → else 401 `{"errors":["Invalid API token"]}`
 *   - the body is `application/x-www-form-urlencoded` with a non-empty `body` → else 400
 *   - rate limit: `limit` calls per window; every response carries `x-ratelimit-limit`,
 *     `x-ratelimit-remaining` and `x-ratelimit-reset` (Unix seconds); past it, 429
 *   - success: 200 `{"message_id":"<id>"}`
 */
import { createServer, type Server } from 'node:http';

export interface PostedMessage {
  roomId: string;
  body: string;
  selfUnread: string | null;
}

export class ChatworkFake {
  readonly messages: PostedMessage[] = [];
  readonly token: string;
  limit: number;
  #used = 0;
  #resetAt: number;
  #server: Server;
  #seq = 1000;
  url = '';
  statusCodes: number[] = [];

  constructor(opts: { token: string; limit?: number }) {
    this.token = opts.token;
    this.limit = opts.limit ?? 300;
    this.#resetAt = Math.floor(Date.now() / 1000) + 300;
    this.#server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => {
        raw += c;
      });
      req.on('end', () => {
        const send = (status: number, body: unknown) => {
          this.statusCodes.push(status);
          res.writeHead(status, {
            'content-type': 'application/json',
            'x-ratelimit-limit': String(this.limit),
            'x-ratelimit-remaining': String(Math.max(0, this.limit - this.#used)),
            'x-ratelimit-reset': String(this.#resetAt),
          });
          res.end(JSON.stringify(body));
        };
        const m = /^\/v2\/rooms\/(\d+)\/messages$/.exec(req.url ?? '');
        if (req.method !== 'POST' || !m) return send(404, { errors: ['Not Found'] });
        if (req.headers['x-chatworktoken'] !== this.token)
          return send(401, { errors: ['Invalid API token'] });
        if (this.#used >= this.limit) return send(429, { errors: ['Rate limit exceeded'] });
        this.#used++;
        if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
          return send(400, { errors: ['Invalid content type'] });
        const form = new URLSearchParams(raw);
        const body = form.get('body');
        if (!body) return send(400, { errors: ['Parameter [body] is empty'] });
        this.messages.push({ roomId: m[1]!, body, selfUnread: form.get('self_unread') });
        send(200, { message_id: String(++this.#seq) });
      });
    });
  }

  /** A new rate-limit window starts. */
  resetWindow(): void {
    this.#used = 0;
    this.#resetAt = Math.floor(Date.now() / 1000) + 300;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    const a = this.#server.address();
    this.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/v2`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((r) => this.#server.close(r));
  }
}
