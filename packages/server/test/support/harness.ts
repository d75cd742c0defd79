/**
 * An in-process server for API tests: real database, real services, Fastify's inject()
 * instead of sockets, and a manual clock.
 */
import type { FastifyInstance, InjectOptions, RouteOptions } from 'fastify';
import { ManualClock } from '../../src/clock.ts';
import type { DatabaseConfig } from '../../src/config.ts';
import { type Db, openDatabase } from '../../src/db/connect.ts';
import { Health } from '../../src/health.ts';
import { buildApp } from '../../src/http/app.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { ServerSecret } from '../../src/services/server-secret.ts';
import { systemActor } from '../../src/services/store.ts';

export const adminCredentials = { email: 'admin@test.example', password: 'admin-test-pass' };

export interface TestApp {
  app: FastifyInstance;
  routes: RouteOptions[];
  services: Services;
  db: Db;
  clock: ManualClock;
  close(): Promise<void>;
}

export async function startTestApp(
  config: DatabaseConfig,
  opts: { quarantineDays?: number } = {},
): Promise<TestApp> {
  const clock = new ManualClock('2026-11-21T01:00:00Z');
  const db = await openDatabase(config);
  const services = createServices(db, clock, { quarantineDays: opts.quarantineDays ?? 180 });
  await services.plans.seedDefaults(systemActor);
  const secret = await ServerSecret.load(services.store);
  services.reports.useWebhookSecrets((tenantId) => secret.derive(`webhook:${tenantId}`));
  services.reports.useAckKey(secret.derive('report-ack'));
  await services.users.ensureFirstAdmin(
    systemActor,
    adminCredentials.email,
    adminCredentials.password,
  );
  const health = new Health();
  health.register('database', () => true);
  const { app, routes } = await buildApp({
    services,
    health,
    metrics: createMetrics(),
    logger: false,
  });
  return {
    app,
    routes,
    services,
    db,
    clock,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

export interface Response<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

/** A logged-in browser: keeps the session cookie and sends the CSRF token. */
export class Client {
  readonly app: FastifyInstance;
  cookie: string | undefined;
  csrf: string | undefined;
  bearer: string | undefined;

  constructor(app: FastifyInstance) {
    this.app = app;
  }

  static async login(app: FastifyInstance, email: string, password: string): Promise<Client> {
    const c = new Client(app);
    const r = await c.request<{ csrfToken: string }>('POST', '/api/v1/auth/login', {
      email,
      password,
    });
    if (r.status !== 200)
      throw new Error(`login ${email} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return c;
  }

  static withToken(app: FastifyInstance, token: string): Client {
    const c = new Client(app);
    c.bearer = token;
    return c;
  }

  async request<T = any>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    const opts: InjectOptions = { method: method as InjectOptions['method'], url, headers: h };
    if (body !== undefined) opts.payload = body as InjectOptions['payload'];
    const res = await this.app.inject(opts);
    const setCookies = ([] as string[]).concat(
      (res.headers['set-cookie'] as string | string[] | undefined) ?? [],
    );
    for (const sc of setCookies) {
      const [pair] = sc.split(';');
      const [name, value] = pair!.split('=');
      if (name === 'uketsuke_session')
        this.cookie = value ? `uketsuke_session=${value}` : undefined;
      if (name === 'uketsuke_csrf') this.csrf = value || undefined;
    }
    let parsed: unknown = res.body;
    const type = String(res.headers['content-type'] ?? '');
    if (type.includes('json') && res.body) parsed = JSON.parse(res.body);
    return { status: res.statusCode, body: parsed as T, headers: res.headers };
  }

  get<T = any>(url: string) {
    return this.request<T>('GET', url);
  }
  post<T = any>(url: string, body?: unknown) {
    return this.request<T>('POST', url, body ?? {});
  }
  patch<T = any>(url: string, body: unknown) {
    return this.request<T>('PATCH', url, body);
  }
  put<T = any>(url: string, body: unknown) {
    return this.request<T>('PUT', url, body);
  }
  delete<T = any>(url: string) {
    return this.request<T>('DELETE', url);
  }
}
