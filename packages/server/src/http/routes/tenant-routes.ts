import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services/index.ts';
import { actorOf, admins, everyone, ownTenantOnly, tenantEditors } from '../access.ts';
import { responses } from '../responses.ts';
import {
  AuditEntry,
  Id,
  Paging,
  Tenant,
  TenantCreate,
  TenantList,
  TenantPatch,
  TenantStateSchema,
} from '../schemas.ts';

const TenantParams = Type.Object({ tenantId: Id });

export const tenantRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/',
    {
      config: { access: { roles: everyone } },
      schema: {
        tags: ['tenants'],
        summary: 'Client companies (a client user sees only its own)',
        querystring: Type.Intersect([
          Paging,
          Type.Object({ state: Type.Optional(TenantStateSchema) }),
        ]),
        response: responses({ 200: TenantList }),
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const offset = req.query.offset ?? 0;
      const r = await services.tenants.list({
        onlyId: ownTenantOnly(req),
        state: req.query.state,
        limit,
        offset,
      });
      return { ...r, limit, offset };
    },
  );

  app.post(
    '/',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['tenants'],
        summary: 'Register a client company (state: applied)',
        body: TenantCreate,
        response: responses({ 201: Tenant }),
      },
    },
    async (req, reply) =>
      reply.code(201).send(await services.tenants.create(actorOf(req), req.body)),
  );

  app.get(
    '/:tenantId',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['tenants'],
        summary: 'A client company',
        params: TenantParams,
        response: responses({ 200: Tenant }),
      },
    },
    async (req) => services.tenants.get(req.params.tenantId),
  );

  app.patch(
    '/:tenantId',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['tenants'],
        summary:
          'Change a client company (client admins: company info, manual, emergency contact, report channel)',
        params: TenantParams,
        body: TenantPatch,
        response: responses({ 200: Tenant }),
      },
    },
    async (req) => services.tenants.update(actorOf(req), req.params.tenantId, req.body),
  );

  app.post(
    '/:tenantId/state',
    {
      config: { access: { roles: admins, tenantScoped: true } },
      schema: {
        tags: ['tenants'],
        summary: 'Move the contract lifecycle (cancelling quarantines the numbers)',
        params: TenantParams,
        body: Type.Object({ state: TenantStateSchema }, { additionalProperties: false }),
        response: responses({ 200: Tenant }),
      },
    },
    async (req) => services.tenants.transition(actorOf(req), req.params.tenantId, req.body.state),
  );

  app.put(
    '/:tenantId/options/:optionCode',
    {
      config: { access: { roles: admins, tenantScoped: true } },
      schema: {
        tags: ['tenants'],
        summary: 'Set how many of an option the client has (0 removes it)',
        params: Type.Object({ tenantId: Id, optionCode: Id }),
        body: Type.Object(
          { quantity: Type.Integer({ minimum: 0, maximum: 1000 }) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Tenant }),
      },
    },
    async (req) =>
      services.tenants.setOption(
        actorOf(req),
        req.params.tenantId,
        req.params.optionCode,
        req.body.quantity,
      ),
  );

  app.get(
    '/:tenantId/audit',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['audit'],
        summary: "The client company's audit log, newest first",
        params: TenantParams,
        querystring: Type.Object(
          {
            before: Type.Optional(Id),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Array(AuditEntry) }),
      },
    },
    async (req) =>
      services.audit.list({
        tenantId: req.params.tenantId,
        before: req.query.before,
        limit: req.query.limit ?? 100,
      }),
  );
};
