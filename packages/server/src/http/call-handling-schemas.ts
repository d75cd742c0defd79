/**
 * The API contract for call handling: flows, block lists, trunks, callbacks and call
 * records (split from schemas.ts; the same conventions apply).
 */
import { Type } from 'typebox';
import { blockKinds } from '../repositories/block-list-repository.ts';
import { callbackSources, callbackStatuses } from '../repositories/callback-repository.ts';
import { callerIdSources, dialedNumberSources } from '../repositories/trunk-repository.ts';
import { Id, literals, Name, Nullable, strict, Text, Timestamp } from './schemas.ts';

// --- call handling: flows, block lists, trunks, callbacks ---

export const FlowCreate = Type.Object({ name: Name, definition: Type.Unknown() }, strict);
export const FlowUpdate = Type.Object(
  { name: Type.Optional(Name), definition: Type.Optional(Type.Unknown()) },
  strict,
);
export const Flow = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  currentVersion: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const FlowWithDefinition = Type.Intersect([
  Flow,
  Type.Object({ definition: Type.Unknown() }),
]);
export const FlowVersion = Type.Object({
  flowId: Type.String(),
  version: Type.Integer(),
  definition: Type.Optional(Type.Unknown()),
  createdAt: Timestamp,
  createdBy: Type.String(),
});

export const BlockEntryCreate = Type.Object(
  {
    kind: literals(blockKinds),
    value: Type.String({ minLength: 1, maxLength: 40 }),
    reason: Type.Optional(Text(500)),
  },
  strict,
);
export const BlockEntry = Type.Object({
  id: Type.String(),
  tenantId: Nullable(Type.String()),
  kind: Type.String(),
  value: Type.String(),
  reason: Type.String(),
  createdAt: Timestamp,
});

const TrunkRegistrationIn = Type.Object(
  {
    registrar: Text(300),
    username: Type.String({ minLength: 1, maxLength: 200 }),
    password: Text(200),
    expiresSec: Type.Integer({ minimum: 60, maximum: 86_400 }),
  },
  strict,
);
const trunkFields = {
  name: Name,
  allowedSources: Type.Array(Text(60), { minItems: 1, maxItems: 100 }),
  dialedNumberFrom: Type.Optional(literals(dialedNumberSources)),
  callerIdFrom: Type.Optional(literals(callerIdSources)),
  registration: Type.Optional(Nullable(TrunkRegistrationIn)),
  enabled: Type.Optional(Type.Boolean()),
};
export const TrunkCreate = Type.Object(trunkFields, strict);
export const TrunkPatch = Type.Partial(Type.Object(trunkFields, strict));
export const Trunk = Type.Object({
  id: Type.String(),
  name: Type.String(),
  allowedSources: Type.Array(Type.String()),
  dialedNumberFrom: Type.String(),
  callerIdFrom: Type.String(),
  registration: Nullable(
    Type.Object({
      registrar: Type.String(),
      username: Type.String(),
      expiresSec: Type.Integer(),
      passwordSet: Type.Boolean(),
    }),
  ),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CallbackCreate = Type.Object(
  {
    callbackNumber: Type.String({ minLength: 1, maxLength: 40 }),
    windowStart: Type.Optional(Nullable(Text(40))),
    windowEnd: Type.Optional(Nullable(Text(40))),
    reason: Type.Optional(Text(500)),
    note: Type.Optional(Text(2000)),
  },
  strict,
);
export const CallbackPatch = Type.Object(
  { status: Type.Optional(literals(callbackStatuses)), note: Type.Optional(Text(2000)) },
  strict,
);
export const Callback = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  callId: Nullable(Type.String()),
  callbackNumber: Type.String(),
  display: Type.String(),
  windowStart: Nullable(Timestamp),
  windowEnd: Nullable(Timestamp),
  /** The window in Japan time, as reports write it: 11月22日(日) 10時~11時 */
  windowText: Nullable(Type.String()),
  reason: Type.String(),
  source: literals(callbackSources),
  status: literals(callbackStatuses),
  note: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CallRecordSchema = Type.Object({
  id: Type.String(),
  tenantId: Nullable(Type.String()),
  numberId: Nullable(Type.String()),
  trunkId: Nullable(Type.String()),
  sipCallId: Type.String(),
  dialed: Type.String(),
  caller: Nullable(Type.String()),
  callerDisplay: Type.String(),
  callerWithheld: Type.Boolean(),
  offeredAt: Timestamp,
  answeredAt: Nullable(Timestamp),
  endedAt: Timestamp,
  hangupBy: Type.String(),
  sipStatus: Nullable(Type.Integer()),
  disposition: Type.String(),
  billable: Type.Boolean(),
  queueWaitMs: Nullable(Type.Integer()),
  recording: Nullable(Type.String()),
  callbackTaskId: Nullable(Type.String()),
  flowId: Nullable(Type.String()),
  flowVersion: Nullable(Type.Integer()),
  trace: Type.Array(Type.String()),
  handlingStatus: Type.String({
    description: 'open (未対応) | in_progress (対応中) | done (対応済)',
  }),
});
export const CallQuery = Type.Object(
  {
    from: Type.Optional(Text(40)),
    to: Type.Optional(Text(40)),
    disposition: Type.Optional(Text(40)),
    before: Type.Optional(Id),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  strict,
);
