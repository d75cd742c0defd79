import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import type { Services } from '../../services/index.ts';
import { actorOf, everyone, tenantEditors } from '../access.ts';
import { responses } from '../responses.ts';
import { Id } from '../schemas.ts';

const PromptParams = Type.Object({
  tenantId: Id,
  promptName: Type.String({ pattern: '^[a-z_]{2,40}$' }),
});
const TenantPrompt = Type.Object({
  tenantId: Type.String(),
  name: Type.String(),
  durationMs: Type.Integer(),
  sha256: Type.String(),
  originalFormat: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

/** Audio bodies (WAV) for uploads; only routes in this plugin accept them. */
const audioTypes = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'];
const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

/** A client's own recordings replacing system prompts, under /tenants/:tenantId. */
export const promptRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.addContentTypeParser(
    audioTypes,
    { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.get(
    '/:tenantId/prompts',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['prompts'],
        summary: "The client's recordings that replace system prompts",
        params: Type.Object({ tenantId: Id }),
        response: responses({ 200: Type.Array(TenantPrompt) }),
      },
    },
    async (req) => services.prompts.list(req.params.tenantId),
  );

  app.put(
    '/:tenantId/prompts/:promptName',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['prompts'],
        summary:
          'Upload a recording (WAV: PCM 8–32 bit, float, A-law or µ-law; any rate; 0.2–600 s) replacing a system prompt',
        params: PromptParams,
        consumes: audioTypes,
        response: responses({ 200: TenantPrompt }),
      },
    },
    async (req) => {
      if (!Buffer.isBuffer(req.body))
        throw new AppError(
          'request.media_type',
          `upload the recording as ${audioTypes.join(', ')}`,
        );
      return services.prompts.upload(
        actorOf(req),
        req.params.tenantId,
        req.params.promptName,
        req.body,
      );
    },
  );

  app.get(
    '/:tenantId/prompts/:promptName/audio',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['prompts'],
        summary: 'The uploaded recording as played (8 kHz mono WAV)',
        params: PromptParams,
      },
    },
    async (req, reply) =>
      reply
        .type('audio/wav')
        .send(await services.prompts.audio(req.params.tenantId, req.params.promptName)),
  );

  app.delete(
    '/:tenantId/prompts/:promptName',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['prompts'],
        summary: 'Go back to the system prompt',
        params: PromptParams,
        response: responses({ 204: Type.Null() }),
      },
    },
    async (req, reply) => {
      await services.prompts.remove(actorOf(req), req.params.tenantId, req.params.promptName);
      return reply.code(204).send();
    },
  );
};
