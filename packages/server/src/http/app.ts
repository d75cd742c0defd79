/**
 * The HTTP edge: Fastify with the REST API under /api/v1, OpenAPI at /api/openapi.json,
 * /healthz and /metrics. Handlers only translate HTTP to service calls; rules live in the
 * services, SQL in the repositories.
 */
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Health } from '../health.ts';
import type { Metrics } from '../metrics.ts';
import type { Services } from '../services/index.ts';
import { accessHook } from './access.ts';
import { validatorCompiler } from './validation.ts';
import { errorHandler, problemOf, sendProblem } from './problem.ts';
import { ackRoutes } from './routes/ack-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import {
  serviceCallHandlingRoutes,
  tenantCallHandlingRoutes,
} from './routes/call-handling-routes.ts';
import { serviceCallRoutes, tenantCallRoutes } from './routes/call-routes.ts';
import { tariffRoutes, tenantChargeRoutes } from './routes/charge-routes.ts';
import { promptRoutes } from './routes/prompt-routes.ts';
import { faqRoutes } from './routes/faq-routes.ts';
import { numberPoolRoutes, tenantNumberRoutes } from './routes/number-routes.ts';
import { planRoutes } from './routes/plan-routes.ts';
import { messageRoutes, reportRoutes, webhookSecretRoutes } from './routes/report-routes.ts';
import { staffRoutes } from './routes/staff-routes.ts';
import { tenantRoutes } from './routes/tenant-routes.ts';
import { tenantUserRoutes, userRoutes } from './routes/user-routes.ts';

export interface AppDeps {
  services: Services;
  health: Health;
  metrics: Metrics;
  logger: Logger | false;
  cookieSecure?: 'auto' | 'always' | 'never';
  version?: string;
}

export interface BuiltApp {
  app: FastifyInstance;
  /** Every route registered, with its access rule: what the cross-tenant suite walks. */
  routes: RouteOptions[];
}

export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const { services, health, metrics } = deps;
  const app = Fastify({
    loggerInstance: deps.logger || undefined,
    logger: deps.logger ? undefined : false,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler());

  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/v1') && route.config?.access === undefined) {
      throw new Error(`route ${route.method} ${route.url} declares no access rule`);
    }
    routes.push(route);
  });

  app.decorateRequest('principal', undefined);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, {
      ...problemOf('request.not_found', `${req.method} ${req.url}`),
      instance: req.url,
    }),
  );

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Uketsuke API',
        version: deps.version ?? '0.1.0',
        description:
          'Telephone answering service platform (電話代行). Errors are application/problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'uketsuke_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
  });

  app.addHook('onRequest', accessHook(services.auth));
  app.addHook('onResponse', async (req, reply) => {
    metrics.httpDuration.observe(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_req, reply) => {
      const r = await health.report();
      return reply
        .code(r.ok ? 200 : 503)
        .send({ status: r.ok ? 'ok' : 'unavailable', components: r.components });
    },
  );
  app.get(
    '/metrics',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_req, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  const opts = { services };
  // Forms post as application/x-www-form-urlencoded; the ack form has no fields to read.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_req, body, done) => done(null, body),
  );
  await app.register(ackRoutes, opts);
  await app.register(
    async (api) => {
      await api.register(authRoutes, {
        prefix: '/auth',
        services,
        cookieSecure: deps.cookieSecure ?? 'auto',
      });
      await api.register(tenantRoutes, { prefix: '/tenants', ...opts });
      await api.register(staffRoutes, { prefix: '/tenants', ...opts });
      await api.register(faqRoutes, { prefix: '/tenants', ...opts });
      await api.register(tenantNumberRoutes, { prefix: '/tenants', ...opts });
      await api.register(tenantUserRoutes, { prefix: '/tenants', ...opts });
      await api.register(tenantCallHandlingRoutes, { prefix: '/tenants', ...opts });
      await api.register(tenantCallRoutes, { prefix: '/tenants', ...opts });
      await api.register(tenantChargeRoutes, { prefix: '/tenants', ...opts });
      await api.register(promptRoutes, { prefix: '/tenants', ...opts });
      await api.register(reportRoutes, { prefix: '/tenants', ...opts });
      await api.register(messageRoutes, { prefix: '/tenants', ...opts });
      await api.register(webhookSecretRoutes, { prefix: '/tenants', ...opts });
      await api.register(numberPoolRoutes, { prefix: '/numbers', ...opts });
      await api.register(serviceCallHandlingRoutes, opts);
      await api.register(serviceCallRoutes, opts);
      await api.register(planRoutes, opts);
      await api.register(tariffRoutes, opts);
      await api.register(userRoutes, opts);
    },
    { prefix: '/api/v1' },
  );

  await app.ready();
  return { app: app as unknown as FastifyInstance, routes };
}
