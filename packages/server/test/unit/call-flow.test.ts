import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BusinessHours,
  japaneseHoliday,
  japanTime,
  openState,
} from '../../src/domain/call-flow/business-hours.ts';
import {
  announcementFlow,
  answeringFlow,
  defaultFlow,
} from '../../src/domain/call-flow/default-flows.ts';
import { flowProblems, validateFlow } from '../../src/domain/call-flow/validate-flow.ts';
import { AppError } from '../../src/errors.ts';

const ivr = {
  steps: [
    {
      verb: 'businessHours',
      hours: 'tenant',
      open: [
        { verb: 'answer' },
        {
          verb: 'menu',
          prompt: 'menu_main',
          options: {
            '1': [{ verb: 'enqueue', queue: 'default', overflow: [{ verb: 'callback' }] }],
            '2': [{ verb: 'callback', firstHour: 9, lastHour: 18 }],
            '9': [{ verb: 'play', prompt: 'announcement_web' }, { verb: 'hangup' }],
          },
          onFailure: [{ verb: 'hangup' }],
        },
      ],
      closed: [
        { verb: 'play', prompt: 'closed' },
        { verb: 'voicemail', maxSec: 120 },
      ],
    },
  ],
};

test('valid flows pass, including the defaults', () => {
  for (const f of [ivr, answeringFlow, announcementFlow, defaultFlow('display', true)])
    assert.deepEqual(flowProblems(f), []);
  assert.equal(validateFlow(ivr), ivr);
});

test('invalid flows are refused with the exact step and reason', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ steps: [] }, 'steps', /at least one step/],
    [{ steps: [{ verb: 'dance' }] }, 'steps[0].verb', /unknown verb 'dance'/],
    [{ steps: [{ verb: 'play', prompt: 'nope' }] }, 'steps[0].prompt', /not a known prompt/],
    [
      { steps: [{ verb: 'play', prompt: 'busy', volume: 3 }] },
      'steps[0].volume',
      /not a field of play/,
    ],
    [
      { steps: [{ verb: 'hangup' }, { verb: 'play', prompt: 'busy' }] },
      'steps[1]',
      /can never run/,
    ],
    [
      { steps: [{ verb: 'gather', into: 'x', maxDigits: 2, minDigits: 4 }] },
      'steps[0].minDigits',
      /more than maxDigits/,
    ],
    [{ steps: [{ verb: 'dial', target: '0312345678' }] }, 'steps[0].target', /E\.164/],
    [
      { steps: [{ verb: 'menu', prompt: 'menu_main', options: {} }] },
      'steps[0].options',
      /at least one option/,
    ],
    [
      { steps: [{ verb: 'menu', prompt: 'menu_main', options: { '1': [{ verb: 'play' }] } }] },
      'steps[0].options.1[0].prompt',
      /required/,
    ],
    [
      { steps: [{ verb: 'menu', prompt: 'menu_main', options: { x: [] } }] },
      'steps[0].options.x',
      /one keypad key/,
    ],
    [
      {
        steps: [
          {
            verb: 'businessHours',
            hours: {
              weekly: { mon: [{ from: '18:00', to: '09:00' }] },
              holidays: 'closed',
              closures: [],
            },
            open: [],
            closed: [],
          },
        ],
      },
      'steps[0].hours.weekly.mon[0]',
      /overnight/,
    ],
    [
      {
        steps: [
          {
            verb: 'businessHours',
            hours: 'tenant',
            open: [{ verb: 'hangup' }],
            closed: [{ verb: 'callback', firstHour: 20, lastHour: 9 }],
          },
        ],
      },
      'steps[0].closed[0].firstHour',
      /before lastHour/,
    ],
  ];
  for (const [flow, path, message] of cases) {
    const problems = flowProblems(flow);
    const hit = problems.find((p) => p.path === path && message.test(p.message));
    assert.ok(
      hit,
      `${JSON.stringify(flow)} → expected ${path} ${message}, got ${JSON.stringify(problems)}`,
    );
  }
  assert.throws(
    () => validateFlow({ steps: [{ verb: 'dance' }] }),
    (e: unknown) => e instanceof AppError && e.code === 'flow.invalid' && e.errors?.length === 1,
  );
});

test('deep nesting is refused', () => {
  let steps: unknown[] = [{ verb: 'hangup' }];
  for (let i = 0; i < 10; i++)
    steps = [{ verb: 'screen', prompt: 'screen_customer', key: '1', onFail: steps }];
  assert.match(JSON.stringify(flowProblems({ steps })), /nest deeper/);
});

const office: BusinessHours = {
  weekly: {
    mon: [
      { from: '09:00', to: '12:00' },
      { from: '13:00', to: '18:00' },
    ],
    tue: [{ from: '09:00', to: '18:00' }],
    sat: [{ from: '10:00', to: '24:00' }],
  },
  holidays: 'closed',
  closures: [{ from: '2026-12-29', to: '2027-01-03', note: '年末年始' }],
};

test('business hours are read in Japan time', () => {
  assert.deepEqual(japanTime(new Date('2026-11-23T23:30:00Z')), {
    date: '2026-11-24',
    weekday: 'tue',
    minutes: 8 * 60 + 30,
  });
  // Mon 2026-11-16 09:00 JST = 00:00Z.
  assert.deepEqual(openState(office, new Date('2026-11-16T00:00:00Z')), { open: true });
  assert.deepEqual(openState(office, new Date('2026-11-15T23:59:00Z')), {
    open: false,
    reason: 'closed_hours',
  });
  assert.deepEqual(
    openState(office, new Date('2026-11-16T03:30:00Z')),
    { open: false, reason: 'closed_hours' },
    'lunch break',
  );
  assert.deepEqual(
    openState(office, new Date('2026-11-21T14:59:00Z')),
    { open: true },
    'Sat 23:59 JST, until 24:00',
  );
  assert.deepEqual(
    openState(office, new Date('2026-11-21T15:00:00Z')),
    { open: false, reason: 'closed_hours' },
    'Sun 00:00 JST',
  );
});

test('Japanese public holidays and one-off closures close the line', () => {
  assert.equal(japaneseHoliday('2026-11-23'), '勤労感謝の日');
  assert.equal(japaneseHoliday('2026-11-24'), undefined);
  // Mon 2026-11-23 10:00 JST is 勤労感謝の日, even though it is 01:00Z on the 23rd.
  assert.deepEqual(openState(office, new Date('2026-11-23T01:00:00Z')), {
    open: false,
    reason: 'holiday',
    detail: '勤労感謝の日',
  });
  // 2026-11-22 18:00Z is already 03:00 JST on the holiday.
  assert.equal(openState(office, new Date('2026-11-22T18:00:00Z')).open, false);
  assert.deepEqual(openState({ ...office, holidays: 'weekly' }, new Date('2026-11-23T01:00:00Z')), {
    open: true,
  });
  assert.deepEqual(openState(office, new Date('2026-12-29T01:00:00Z')), {
    open: false,
    reason: 'closure',
    detail: '年末年始',
  });
  assert.deepEqual(
    openState(office, new Date('2027-01-04T01:00:00Z')),
    { open: true },
    'Mon after the new-year closure',
  );
});
