import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { formatNational } from '../../domain/phone-number.ts';
import { normaliseInstant } from '../../domain/validation.ts';
import type { CallRecord } from '../../repositories/call-record-repository.ts';
import type { Services } from '../../services/index.ts';
import { actorOf, everyone } from '../access.ts';
import { CallLegSchema, CallQuery, CallRecordSchema } from '../call-handling-schemas.ts';
import { responses } from '../responses.ts';
import { Id } from '../schemas.ts';

const TenantParams = Type.Object({ tenantId: Id });

const callView = (c: CallRecord) => ({
  ...c,
  callerDisplay: c.caller ? formatNational(c.caller) : '非通知 (withheld)',
});

function callFilter(q: {
  from?: string;
  to?: string;
  disposition?: string;
  before?: string;
  limit?: number;
}) {
  return {
    ...(q.from ? { from: normaliseInstant(q.from, 'from') } : {}),
    ...(q.to ? { to: normaliseInstant(q.to, 'to') } : {}),
    ...(q.disposition ? { disposition: q.disposition } : {}),
    ...(q.before ? { before: q.before } : {}),
    limit: q.limit ?? 100,
  };
}

/** A client's call history (CDRs) and its handling status, under /tenants/:tenantId. */
export const tenantCallRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/:tenantId/calls',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['calls'],
        summary: 'Call history (CDRs), newest first',
        params: TenantParams,
        querystring: CallQuery,
        response: responses({ 200: Type.Array(CallRecordSchema) }),
      },
    },
    async (req) =>
      (await services.calls.list({ ...callFilter(req.query), tenantId: req.params.tenantId })).map(
        callView,
      ),
  );
  app.get(
    '/:tenantId/calls/:callId',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['calls'],
        summary: 'One call record',
        params: Type.Object({ tenantId: Id, callId: Id }),
        response: responses({ 200: CallRecordSchema }),
      },
    },
    async (req) => callView(await services.calls.get(req.params.callId, req.params.tenantId)),
  );
  app.get(
    '/:tenantId/calls/:callId/legs',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['calls'],
        summary: "One call's legs: the caller's, then each forward or dial-out attempt",
        params: Type.Object({ tenantId: Id, callId: Id }),
        response: responses({ 200: Type.Array(CallLegSchema) }),
      },
    },
    async (req) => services.calls.legs(req.params.callId, req.params.tenantId),
  );
  app.patch(
    '/:tenantId/calls/:callId',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['calls'],
        summary:
          'Set how far the call is dealt with: open (未対応), in_progress (対応中), done (対応済)',
        params: Type.Object({ tenantId: Id, callId: Id }),
        body: Type.Object(
          {
            handlingStatus: Type.Union([
              Type.Literal('open'),
              Type.Literal('in_progress'),
              Type.Literal('done'),
            ]),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: CallRecordSchema }),
      },
    },
    async (req) =>
      callView(
        await services.calls.setHandlingStatus(
          actorOf(req),
          req.params.tenantId,
          req.params.callId,
          req.body.handlingStatus,
        ),
      ),
  );
};

/** Every call record, for the answering service. */
export const serviceCallRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/calls',
    {
      config: { access: { roles: ['service_admin', 'supervisor'] } },
      schema: {
        tags: ['calls'],
        summary: 'Every call record, newest first',
        querystring: CallQuery,
        response: responses({ 200: Type.Array(CallRecordSchema) }),
      },
    },
    async (req) => (await services.calls.list(callFilter(req.query))).map(callView),
  );
};
