import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services/index.ts';
import { actorOf, admins, everyone } from '../access.ts';
import { responses } from '../responses.ts';
import { Plan, PlanCreate, PlanOption, PlanPatch } from '../schemas.ts';

const PlanParams = Type.Object({ planCode: Type.String({ pattern: '^[a-z0-9_]{2,50}$' }) });

export const planRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/plans',
    {
      config: { access: { roles: everyone } },
      schema: {
        tags: ['plans'],
        summary: 'Service plans with their limits',
        response: responses({ 200: Type.Array(Plan) }),
      },
    },
    async () => services.plans.list(),
  );

  app.post(
    '/plans',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['plans'],
        summary: 'Add a plan',
        body: PlanCreate,
        response: responses({ 201: Plan }),
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await services.plans.create(actorOf(req), { description: '', ...req.body })),
  );

  app.get(
    '/plans/:planCode',
    {
      config: { access: { roles: everyone } },
      schema: {
        tags: ['plans'],
        summary: 'A plan',
        params: PlanParams,
        response: responses({ 200: Plan }),
      },
    },
    async (req) => services.plans.get(req.params.planCode),
  );

  app.patch(
    '/plans/:planCode',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['plans'],
        summary: 'Change a plan',
        params: PlanParams,
        body: PlanPatch,
        response: responses({ 200: Plan }),
      },
    },
    async (req) => services.plans.update(actorOf(req), req.params.planCode, req.body),
  );

  app.get(
    '/plan-options',
    {
      config: { access: { roles: everyone } },
      schema: {
        tags: ['plans'],
        summary: 'Paid options (extra report recipients, Chatwork, 0120 number…)',
        response: responses({ 200: Type.Array(PlanOption) }),
      },
    },
    async () => services.plans.listOptions(),
  );
};
