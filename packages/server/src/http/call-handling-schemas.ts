/**
 * The API contract for call handling: flows, block lists, trunks, callbacks and call
 * records (split from schemas.ts; the same conventions apply).
 */
import { Type } from 'typebox';
import { blockKinds } from '../repositories/block-list-repository.ts';
import { callbackSources, callbackStatuses } from '../repositories/callback-repository.ts';
import {
  callerIdSources,
  dialedNumberSources,
  outboundNumberFormats,
} from '../repositories/trunk-repository.ts';
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
const TrunkOutboundSchema = Type.Object(
  {
    target: Type.String({
      minLength: 5,
      maxLength: 300,
      description: "the carrier's SIP address for calls out, e.g. sip:203.0.113.10:5060",
    }),
    numberFormat: literals(outboundNumberFormats),
  },
  strict,
);
const trunkFields = {
  name: Name,
  allowedSources: Type.Array(Text(60), { minItems: 1, maxItems: 100 }),
  dialedNumberFrom: Type.Optional(literals(dialedNumberSources)),
  callerIdFrom: Type.Optional(literals(callerIdSources)),
  registration: Type.Optional(Nullable(TrunkRegistrationIn)),
  outbound: Type.Optional(Nullable(TrunkOutboundSchema)),
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
  outbound: Nullable(TrunkOutboundSchema),
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

/** RTP counters and quality of a leg, as the media engine measured them. */
export const RtpStatsSchema = Type.Object({
  packetsSent: Type.Integer(),
  packetsReceived: Type.Integer(),
  packetsLost: Type.Integer(),
  jitterMs: Type.Number(),
  mos: Type.Number(),
});

export const CallLegSchema = Type.Object({
  id: Type.String(),
  callId: Type.String(),
  kind: Type.String({ description: 'inbound (the caller) | outbound (a forward or dial-out)' }),
  peer: Type.String(),
  sipCallId: Nullable(Type.String()),
  fromNumber: Nullable(Type.String()),
  toNumber: Nullable(Type.String()),
  startedAt: Timestamp,
  answeredAt: Nullable(Timestamp),
  endedAt: Nullable(Timestamp),
  outcome: Type.String({
    description: 'answered | no_answer | busy | failed | cancelled | rejected | early_media',
  }),
  hangupBy: Nullable(Type.String()),
  sipStatus: Nullable(Type.Integer()),
  rtpStats: Nullable(RtpStatsSchema),
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
  rtpStats: Nullable(RtpStatsSchema),
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
