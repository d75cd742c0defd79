import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isClientRole } from '../../domain/roles.ts';
import type { ReportView } from '../../services/report-service.ts';
import type { Services } from '../../services/index.ts';
import { actorOf, everyone, principalOf } from '../access.ts';
import { responses } from '../responses.ts';
import { Id, Timestamp } from '../schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

const Report = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  callId: Nullable(Type.String()),
  source: Type.String(),
  sourceId: Type.String(),
  channel: Type.String(),
  status: Type.String({ description: 'queued | sent | failed | acknowledged | not_sent' }),
  private: Type.Boolean(),
  content: Nullable(Type.Record(Type.String(), Type.Unknown())),
  createdAt: Timestamp,
  acknowledgedAt: Nullable(Timestamp),
  acknowledgedBy: Nullable(Type.String()),
  deliveries: Type.Array(
    Type.Object({
      id: Type.String(),
      purpose: Type.String({ description: 'report | escalation | alert | fallback' }),
      channel: Type.String(),
      recipient: Nullable(Type.String()),
      status: Type.String(),
      attempts: Type.Integer(),
      nextAttemptAt: Timestamp,
      lastError: Nullable(Type.String()),
      sentAt: Nullable(Timestamp),
    }),
  ),
});

/**
 * A report naming someone is private to that person (PRODUCT.md): portal users see that it
 * exists and its status, not what it says or to whom it went. Service staff see it all.
 */
function viewFor(role: Parameters<typeof isClientRole>[0], r: ReportView) {
  if (!r.private || !isClientRole(role)) return r;
  return { ...r, content: null, deliveries: r.deliveries.map((d) => ({ ...d, recipient: null })) };
}

export const reportRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const Params = Type.Object({ tenantId: Id, reportId: Id });

  app.get(
    '/:tenantId/reports',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['reports'],
        summary: 'Call reports (受電報告) with their delivery status, newest first',
        params: Type.Object({ tenantId: Id }),
        querystring: Type.Object(
          {
            before: Type.Optional(Id),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Array(Report) }),
      },
    },
    async (req) => {
      const role = principalOf(req).user.role;
      return (
        await services.reports.list(req.params.tenantId, req.query.limit ?? 100, req.query.before)
      ).map((r) => viewFor(role, r));
    },
  );

  app.get(
    '/:tenantId/reports/:reportId',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['reports'],
        summary: 'A report and its deliveries',
        params: Params,
        response: responses({ 200: Report }),
      },
    },
    async (req) =>
      viewFor(
        principalOf(req).user.role,
        await services.reports.get(req.params.tenantId, req.params.reportId),
      ),
  );

  app.post(
    '/:tenantId/reports/:reportId/acknowledge',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['reports'],
        summary: 'Mark the report handled (対応済)',
        params: Params,
        response: responses({ 200: Report }),
      },
    },
    async (req) =>
      viewFor(
        principalOf(req).user.role,
        await services.reports.acknowledge(actorOf(req), req.params.tenantId, req.params.reportId),
      ),
  );
};

const MessageCreate = Type.Object(
  {
    callId: Type.Optional(Type.Union([Id, Type.Null()])),
    numberId: Type.Optional(Type.Union([Id, Type.Null()])),
    callerCompany: Type.Optional(Type.String({ maxLength: 200 })),
    callerName: Type.Optional(Type.String({ maxLength: 200 })),
    callerNumber: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    callbackNumber: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    callbackWindowStart: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    callbackWindowEnd: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    purpose: Type.String({ minLength: 1, maxLength: 2000 }),
    namedStaffId: Type.Optional(Type.Union([Id, Type.Null()])),
    urgent: Type.Optional(Type.Boolean()),
    complaint: Type.Optional(Type.Boolean()),
    notes: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);
const Message = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  callId: Nullable(Type.String()),
  numberId: Nullable(Type.String()),
  callerCompany: Type.String(),
  callerName: Type.String(),
  callerNumber: Nullable(Type.String()),
  callbackNumber: Nullable(Type.String()),
  callbackWindowStart: Nullable(Timestamp),
  callbackWindowEnd: Nullable(Timestamp),
  purpose: Type.String(),
  namedStaffId: Nullable(Type.String()),
  urgent: Type.Boolean(),
  complaint: Type.Boolean(),
  notes: Type.String(),
  operatorAlias: Type.String(),
  takenBy: Type.String(),
  createdAt: Timestamp,
  reportId: Type.Optional(Type.String()),
});
const messageTakers = ['service_admin', 'supervisor', 'operator'] as const;
const messageReaders = ['service_admin', 'supervisor', 'operator', 'client_admin'] as const;

/** Messages taken by operators (受電メモ), under /tenants/:tenantId. */
export const messageRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/:tenantId/messages',
    {
      config: { access: { roles: messageReaders, tenantScoped: true } },
      schema: {
        tags: ['reports'],
        summary: 'Messages taken for the client, newest first',
        params: Type.Object({ tenantId: Id }),
        querystring: Type.Object(
          {
            before: Type.Optional(Id),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Array(Message) }),
      },
    },
    async (req) =>
      services.messages.list(req.params.tenantId, req.query.limit ?? 100, req.query.before),
  );

  app.post(
    '/:tenantId/messages',
    {
      config: { access: { roles: messageTakers, tenantScoped: true } },
      schema: {
        tags: ['reports'],
        summary: 'Save a message (受電メモ); its call report is queued in the same transaction',
        params: Type.Object({ tenantId: Id }),
        body: MessageCreate,
        response: responses({ 201: Message }),
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await services.messages.create(actorOf(req), req.params.tenantId, req.body)),
  );

  app.get(
    '/:tenantId/messages/:messageId',
    {
      config: { access: { roles: messageReaders, tenantScoped: true } },
      schema: {
        tags: ['reports'],
        summary: 'A message',
        params: Type.Object({ tenantId: Id, messageId: Id }),
        response: responses({ 200: Message }),
      },
    },
    async (req) => services.messages.get(req.params.tenantId, req.params.messageId),
  );
};

/** The signing secret of the client's generic webhook (see reports/webhook-senders.ts). */
export const webhookSecretRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/:tenantId/webhook-secret',
    {
      config: { access: { roles: ['service_admin', 'client_admin'], tenantScoped: true } },
      schema: {
        tags: ['reports'],
        summary: 'The HMAC-SHA256 secret that signs this client’s webhook reports',
        params: Type.Object({ tenantId: Id }),
        response: responses({
          200: Type.Object({
            secret: Type.String(),
            signature: Type.String(),
            timestampHeader: Type.String(),
          }),
        }),
      },
    },
    async (req) => {
      await services.tenants.get(req.params.tenantId);
      return {
        secret: services.reports.webhookSecret(req.params.tenantId),
        signature:
          'X-Uketsuke-Signature: v1=hex(HMAC-SHA256(secret, "<X-Uketsuke-Timestamp>.<raw body>"))',
        timestampHeader: 'X-Uketsuke-Timestamp',
      };
    },
  );
};
