import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { lineClasses, tariffKinds } from '../../domain/rating.ts';
import { normaliseInstant } from '../../domain/validation.ts';
import type { Services } from '../../services/index.ts';
import { actorOf, admins, everyone } from '../access.ts';
import { responses } from '../responses.ts';
import { Id } from '../schemas.ts';

const Kind = Type.Union(tariffKinds.map((k) => Type.Literal(k)));
const PeerClass = Type.Union([...lineClasses, 'any'].map((c) => Type.Literal(c)));

const TariffFields = {
  kind: Kind,
  peerClass: PeerClass,
  unitSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  pricePerUnitSen: Type.Integer({
    minimum: 0,
    description: 'Price of one started unit in sen (¥0.01), tax excluded: ¥9.35 = 935',
  }),
};
const Tariff = Type.Object({
  id: Type.String(),
  ...TariffFields,
  description: Type.String(),
});
const TariffSheet = Type.Object(
  {
    tariffs: Type.Array(
      Type.Object(
        { ...TariffFields, description: Type.Optional(Type.String({ maxLength: 200 })) },
        { additionalProperties: false },
      ),
      { maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

const ChargeLine = Type.Object({
  leg: Type.String(),
  kind: Kind,
  peer: Type.Union([Type.String(), Type.Null()]),
  peerClass: Type.String(),
  seconds: Type.Integer(),
  units: Type.Integer(),
  unitSeconds: Type.Integer(),
  pricePerUnitSen: Type.Integer(),
  amountSen: Type.Integer(),
  tariffId: Type.Union([Type.String(), Type.Null()]),
});
const CallCharges = Type.Object({
  callId: Type.String(),
  tenantId: Type.String(),
  callOfferedAt: Type.String(),
  ratedAt: Type.String(),
  totalSen: Type.Integer(),
  complete: Type.Boolean({ description: 'false: a chargeable leg had no tariff' }),
  lines: Type.Array(ChargeLine),
});
const Usage = Type.Object({ seconds: Type.Integer(), amountSen: Type.Integer() });
const ChargeSummary = Type.Object({
  tenantId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  ratedCalls: Type.Integer(),
  incompleteCalls: Type.Integer(),
  totalSen: Type.Integer(),
  byKind: Type.Object({ toll_free_inbound: Usage, outbound: Usage }),
});
const Period = Type.Object(
  { from: Type.String({ minLength: 10 }), to: Type.String({ minLength: 10 }) },
  { additionalProperties: false },
);
const PeriodQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ minLength: 10 })),
    to: Type.Optional(Type.String({ minLength: 10 })),
  },
  { additionalProperties: false },
);

const period = (p: { from: string; to: string }) => ({
  from: normaliseInstant(p.from, 'from'),
  to: normaliseInstant(p.to, 'to'),
});

/** The calendar month (Japan time, UTC+9) that contains `now`: the default billing period. */
export function monthInJapan(now: Date): { from: string; to: string } {
  const jst = new Date(now.getTime() + 9 * 3600_000);
  const start = Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth(), 1) - 9 * 3600_000;
  const end = Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth() + 1, 1) - 9 * 3600_000;
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

/** The tariff sheet, service-wide (admins only). */
export const tariffRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/tariffs',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['charges'],
        summary: 'Carrier tariffs used to rate calls',
        response: responses({ 200: Type.Array(Tariff) }),
      },
    },
    async () => services.charges.tariffs(),
  );
  app.put(
    '/tariffs',
    {
      config: { access: { roles: admins } },
      schema: {
        tags: ['charges'],
        summary: 'Replace the tariff sheet (one tariff per kind and peer class)',
        body: TariffSheet,
        response: responses({ 200: Type.Array(Tariff) }),
      },
    },
    async (req) => services.charges.replaceTariffs(actorOf(req), req.body.tariffs),
  );
};

/** A client's rated call charges, under /tenants/:tenantId. */
export const tenantChargeRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/:tenantId/charges',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['charges'],
        summary:
          'Call charges borne by the client for calls offered in [from, to) (default: this month, Japan time)',
        params: Type.Object({ tenantId: Id }),
        querystring: PeriodQuery,
        response: responses({ 200: ChargeSummary }),
      },
    },
    async (req) => {
      const month = monthInJapan(services.store.clock.now());
      const p = period({ from: req.query.from ?? month.from, to: req.query.to ?? month.to });
      return services.charges.summary(req.params.tenantId, p.from, p.to);
    },
  );
  app.get(
    '/:tenantId/calls/:callId/charges',
    {
      config: { access: { roles: everyone, tenantScoped: true } },
      schema: {
        tags: ['charges'],
        summary: "A call's rated charges, line by line (rated now if it was not yet)",
        params: Type.Object({ tenantId: Id, callId: Id }),
        response: responses({ 200: CallCharges }),
      },
    },
    async (req) => services.charges.get(req.params.tenantId, req.params.callId),
  );
  app.post(
    '/:tenantId/charges/rerate',
    {
      config: { access: { roles: admins, tenantScoped: true } },
      schema: {
        tags: ['charges'],
        summary: 'Rate the calls of a period again (after a tariff correction)',
        params: Type.Object({ tenantId: Id }),
        body: Period,
        response: responses({ 200: Type.Object({ rated: Type.Integer() }) }),
      },
    },
    async (req) => {
      const p = period(req.body);
      return {
        rated: await services.charges.rerate(actorOf(req), req.params.tenantId, p.from, p.to),
      };
    },
  );
};
