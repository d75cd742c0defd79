import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Role } from '../../domain/roles.ts';
import type { Services } from '../../services/index.ts';
import { actorOf, everyone, tenantEditors } from '../access.ts';
import { noContent, responses } from '../responses.ts';
import {
  Absence,
  AbsenceCreate,
  AbsencePatch,
  Id,
  Staff,
  StaffCreate,
  StaffOrder,
  StaffPatch,
} from '../schemas.ts';

const TenantParams = Type.Object({ tenantId: Id });
const StaffParams = Type.Object({ tenantId: Id, staffId: Id });
const AbsenceParams = Type.Object({ tenantId: Id, staffId: Id, absenceId: Id });
/** Staff keep their own schedules current too (PRODUCT.md "People"). */
const scheduleEditors: readonly Role[] = ['service_admin', 'client_admin', 'client_user'];

/** The roster (社員名簿) and absences, under /tenants/:tenantId. */
export const staffRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  const staff = services.staff;

  app.get(
    '/:tenantId/staff',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['roster'],
        summary: 'The roster in order; the first is the responsible person',
        params: TenantParams,
        response: responses({ 200: Type.Array(Staff) }),
      },
    },
    async (req) => staff.list(req.params.tenantId),
  );

  app.post(
    '/:tenantId/staff',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['roster'],
        summary: 'Add a staff member at the end of the roster',
        params: TenantParams,
        body: StaffCreate,
        response: responses({ 201: Staff }),
      },
    },
    async (req, reply) =>
      reply.code(201).send(await staff.create(actorOf(req), req.params.tenantId, req.body)),
  );

  app.put(
    '/:tenantId/staff-order',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['roster'],
        summary: 'Reorder the roster (every staff id, once)',
        params: TenantParams,
        body: StaffOrder,
        response: responses({ 200: Type.Array(Staff) }),
      },
    },
    async (req) => staff.reorder(actorOf(req), req.params.tenantId, req.body.ids),
  );

  app.get(
    '/:tenantId/staff/:staffId',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['roster'],
        summary: 'A staff member',
        params: StaffParams,
        response: responses({ 200: Staff }),
      },
    },
    async (req) => staff.get(req.params.tenantId, req.params.staffId),
  );

  app.patch(
    '/:tenantId/staff/:staffId',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['roster'],
        summary: 'Change a staff member',
        params: StaffParams,
        body: StaffPatch,
        response: responses({ 200: Staff }),
      },
    },
    async (req) => staff.update(actorOf(req), req.params.tenantId, req.params.staffId, req.body),
  );

  app.delete(
    '/:tenantId/staff/:staffId',
    {
      config: { access: { roles: tenantEditors, tenantScoped: true } },
      schema: {
        tags: ['roster'],
        summary: 'Remove a staff member and their absences',
        params: StaffParams,
        response: responses(noContent),
      },
    },
    async (req, reply) => {
      await staff.delete(actorOf(req), req.params.tenantId, req.params.staffId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/:tenantId/staff/:staffId/absences',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['roster'],
        summary: "A staff member's absences (出張・外出) with expected return",
        params: StaffParams,
        response: responses({ 200: Type.Array(Absence) }),
      },
    },
    async (req) => staff.listAbsences(req.params.tenantId, req.params.staffId),
  );

  app.post(
    '/:tenantId/staff/:staffId/absences',
    {
      config: { access: { roles: scheduleEditors, tenantScoped: true } },
      schema: {
        tags: ['roster'],
        summary: 'Record an absence',
        params: StaffParams,
        body: AbsenceCreate,
        response: responses({ 201: Absence }),
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(
          await staff.createAbsence(
            actorOf(req),
            req.params.tenantId,
            req.params.staffId,
            req.body,
          ),
        ),
  );

  app.patch(
    '/:tenantId/staff/:staffId/absences/:absenceId',
    {
      config: { access: { roles: scheduleEditors, tenantScoped: true } },
      schema: {
        tags: ['roster'],
        summary: 'Change an absence',
        params: AbsenceParams,
        body: AbsencePatch,
        response: responses({ 200: Absence }),
      },
    },
    async (req) =>
      staff.updateAbsence(
        actorOf(req),
        req.params.tenantId,
        req.params.staffId,
        req.params.absenceId,
        req.body,
      ),
  );

  app.delete(
    '/:tenantId/staff/:staffId/absences/:absenceId',
    {
      config: { access: { roles: scheduleEditors, tenantScoped: true } },
      schema: {
        tags: ['roster'],
        summary: 'Delete an absence',
        params: AbsenceParams,
        response: responses(noContent),
      },
    },
    async (req, reply) => {
      await staff.deleteAbsence(
        actorOf(req),
        req.params.tenantId,
        req.params.staffId,
        req.params.absenceId,
      );
      return reply.code(204).send();
    },
  );
};
