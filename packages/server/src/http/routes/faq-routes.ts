import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../services/index.ts';
import { actorOf, everyone, tenantEditors } from '../access.ts';
import { noContent, responses } from '../responses.ts';
import { FaqCreate, FaqItem, FaqPatch, Id } from '../schemas.ts';

const TenantParams = Type.Object({ tenantId: Id });
const FaqParams = Type.Object({ tenantId: Id, faqId: Id });

/** FAQ items under /tenants/:tenantId, limited by the tenant's plan. */
export const faqRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const faq = services.faq;

  app.get(
    '/:tenantId/faq',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['faq'],
        summary: "The client's FAQ for operators",
        params: TenantParams,
        response: responses({ 200: Type.Array(FaqItem) }),
      },
    },
    async (req) => faq.list(req.params.tenantId),
  );

  app.post(
    '/:tenantId/faq',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['faq'],
        summary: "Add an FAQ item (refused beyond the plan's limit)",
        params: TenantParams,
        body: FaqCreate,
        response: responses({ 201: FaqItem }),
      },
    },
    async (req, reply) =>
      reply.code(201).send(await faq.create(actorOf(req), req.params.tenantId, req.body)),
  );

  app.get(
    '/:tenantId/faq/:faqId',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['faq'],
        summary: 'An FAQ item',
        params: FaqParams,
        response: responses({ 200: FaqItem }),
      },
    },
    async (req) => faq.get(req.params.tenantId, req.params.faqId),
  );

  app.patch(
    '/:tenantId/faq/:faqId',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['faq'],
        summary: 'Change an FAQ item',
        params: FaqParams,
        body: FaqPatch,
        response: responses({ 200: FaqItem }),
      },
    },
    async (req) => faq.update(actorOf(req), req.params.tenantId, req.params.faqId, req.body),
  );

  app.delete(
    '/:tenantId/faq/:faqId',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['faq'],
        summary: 'Delete an FAQ item',
        params: FaqParams,
        response: responses(noContent),
      },
    },
    async (req, reply) => {
      await faq.delete(actorOf(req), req.params.tenantId, req.params.faqId);
      return reply.code(204).send();
    },
  );
};
