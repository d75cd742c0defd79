/**
 * Call-flow steps ("verbs") as data (STYLE.md: jambonz). Each verb has a JSON schema for
 * its own fields — nested step lists are checked recursively by validate-flow.ts — and
 * declares what it needs from the call; the call session resolves that at run time
 * (answering, or early media, before the verb runs).
 */
import { Type } from 'typebox';
import { weekdays } from './business-hours.ts';
import { type SystemPrompt, systemPrompts } from './prompts.ts';

const strict = { additionalProperties: false } as const;
const Steps = Type.Array(Type.Unknown(), { maxItems: 50 });
// An enum (not a union of literals) so a wrong name is one clear error, not one per prompt.
const Prompt = Type.Unsafe<SystemPrompt>({ type: 'string', enum: [...systemPrompts] });
const Seconds = (max: number) => Type.Integer({ minimum: 1, maximum: max });
const Key = Type.String({ pattern: '^[0-9*#]$' });

const Interval = Type.Object({ from: Type.String(), to: Type.String() }, strict);
export const BusinessHoursSchema = Type.Object(
  {
    weekly: Type.Object(
      Object.fromEntries(
        weekdays.map((d) => [d, Type.Optional(Type.Array(Interval, { maxItems: 12 }))]),
      ),
      strict,
    ),
    holidays: Type.Union([Type.Literal('closed'), Type.Literal('weekly')]),
    closures: Type.Array(
      Type.Object(
        {
          from: Type.String(),
          to: Type.String(),
          note: Type.Optional(Type.String({ maxLength: 200 })),
        },
        strict,
      ),
      { maxItems: 200 },
    ),
  },
  strict,
);

/** What a verb needs before it runs. */
export type Precondition = 'none' | 'media' | 'answered';

export interface VerbSpec {
  schema: ReturnType<typeof Type.Object>;
  needs: Precondition;
  /** Fields holding nested step lists (value: list, or record of lists). */
  branches: readonly string[];
  /** True when nothing after it in the same list can run. */
  terminal?: boolean;
}

export const verbs = {
  answer: {
    needs: 'none',
    branches: [],
    schema: Type.Object({ verb: Type.Literal('answer') }, strict),
  },
  play: {
    needs: 'media',
    branches: [],
    schema: Type.Object(
      {
        verb: Type.Literal('play'),
        prompt: Prompt,
        loop: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
      },
      strict,
    ),
  },
  menu: {
    needs: 'answered',
    branches: ['options', 'onFailure'],
    schema: Type.Object(
      {
        verb: Type.Literal('menu'),
        prompt: Prompt,
        options: Type.Record(Key, Steps),
        timeoutSec: Type.Optional(Seconds(60)),
        attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
        onFailure: Type.Optional(Steps),
      },
      strict,
    ),
  },
  gather: {
    needs: 'answered',
    branches: [],
    schema: Type.Object(
      {
        verb: Type.Literal('gather'),
        prompt: Type.Optional(Prompt),
        into: Type.String({ pattern: '^[a-z][a-z0-9_]{0,30}$' }),
        minDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: 32 })),
        maxDigits: Type.Integer({ minimum: 1, maximum: 32 }),
        timeoutSec: Type.Optional(Seconds(60)),
        interDigitTimeoutSec: Type.Optional(Seconds(30)),
        finishOnKey: Type.Optional(Key),
      },
      strict,
    ),
  },
  businessHours: {
    needs: 'none',
    branches: ['open', 'closed'],
    schema: Type.Object(
      {
        verb: Type.Literal('businessHours'),
        hours: Type.Union([Type.Literal('tenant'), BusinessHoursSchema]),
        open: Steps,
        closed: Steps,
      },
      strict,
    ),
  },
  screen: {
    needs: 'answered',
    branches: ['onFail'],
    schema: Type.Object(
      {
        verb: Type.Literal('screen'),
        prompt: Prompt,
        key: Key,
        timeoutSec: Type.Optional(Seconds(30)),
        onFail: Steps,
      },
      strict,
    ),
  },
  enqueue: {
    needs: 'answered',
    branches: ['overflow'],
    schema: Type.Object(
      {
        verb: Type.Literal('enqueue'),
        queue: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }),
        maxWaitSec: Type.Optional(Seconds(3600)),
        maxQueueLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
        busyPrompt: Type.Optional(Prompt),
        holdMusic: Type.Optional(Prompt),
        announcePosition: Type.Optional(Type.Boolean()),
        overflow: Steps,
      },
      strict,
    ),
  },
  dial: {
    needs: 'none',
    branches: ['onNoAnswer'],
    schema: Type.Object(
      {
        verb: Type.Literal('dial'),
        /** 'destination' = the number's destination (self-answer / forwarding). */
        target: Type.String({ minLength: 1, maxLength: 300 }),
        timeoutSec: Type.Optional(Seconds(300)),
        callerId: Type.Optional(Type.Union([Type.Literal('caller'), Type.Literal('number')])),
        onNoAnswer: Type.Optional(Steps),
      },
      strict,
    ),
  },
  voicemail: {
    needs: 'answered',
    branches: [],
    terminal: true,
    schema: Type.Object(
      {
        verb: Type.Literal('voicemail'),
        prompt: Type.Optional(Prompt),
        maxSec: Type.Optional(Seconds(600)),
      },
      strict,
    ),
  },
  record: {
    needs: 'answered',
    branches: [],
    schema: Type.Object({ verb: Type.Literal('record'), enabled: Type.Boolean() }, strict),
  },
  callback: {
    needs: 'answered',
    branches: [],
    terminal: true,
    schema: Type.Object(
      {
        verb: Type.Literal('callback'),
        reason: Type.Optional(Type.String({ maxLength: 200 })),
        /** Earliest and latest hour a callback window may start, Japan time. */
        firstHour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
        lastHour: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 })),
        maxDaysAhead: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })),
      },
      strict,
    ),
  },
  hangup: {
    needs: 'none',
    branches: [],
    terminal: true,
    schema: Type.Object({ verb: Type.Literal('hangup') }, strict),
  },
} as const satisfies Record<string, VerbSpec>;

export type VerbName = keyof typeof verbs;
export const verbNames = Object.keys(verbs) as VerbName[];
