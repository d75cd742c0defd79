import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  billableSeconds,
  lineClassOf,
  rateCall,
  type Tariff,
  telephoneNumber,
} from '../../src/domain/rating.ts';

const tariff = (
  kind: Tariff['kind'],
  peerClass: Tariff['peerClass'],
  unitSeconds: number,
  pricePerUnitSen: number,
): Tariff => ({
  id: `${kind}/${peerClass}`,
  kind,
  peerClass,
  unitSeconds,
  pricePerUnitSen,
  description: '',
});

const sheet = [
  tariff('toll_free_inbound', 'geographic', 180, 935),
  tariff('toll_free_inbound', 'mobile', 60, 1800),
  tariff('outbound', 'geographic', 180, 935),
  tariff('outbound', 'ip', 180, 1155),
];

test('line classes follow the Japanese numbering plan (0800 is toll-free, not an 080 mobile)', () => {
  const cases: [string | null, string][] = [
    ['+81120959002', 'toll_free'],
    ['+818001234567', 'toll_free'],
    ['+818012345678', 'mobile'],
    ['+817012345678', 'mobile'],
    ['+819012345678', 'mobile'],
    ['+815012345678', 'ip'],
    ['+81312345678', 'geographic'],
    ['+81662345678', 'geographic'],
    ['+81570123456', 'other'],
    ['+12025550100', 'international'],
    ['03-1234-5678', 'geographic'],
    ['0120-500-001', 'toll_free'],
    ['sip:client@192.0.2.1', 'unknown'],
    ['anonymous', 'unknown'],
    [null, 'unknown'],
  ];
  for (const [n, cls] of cases) assert.equal(lineClassOf(n), cls, String(n));
  assert.equal(telephoneNumber('tel:+81312345678'), '+81312345678');
  assert.equal(telephoneNumber('sip:+81312345678@trunk'), null);
});

test('billable seconds run from answer to release, a started second counting', () => {
  assert.equal(billableSeconds(null, '2026-11-21T01:00:10Z'), 0);
  assert.equal(billableSeconds('2026-11-21T01:00:00Z', '2026-11-21T01:00:10.001Z'), 11);
  assert.equal(billableSeconds('2026-11-21T01:00:10Z', '2026-11-21T01:00:00Z'), 0);
});

test('a toll-free call is charged from answer by started unit, priced by the caller line', () => {
  const fromMobile = rateCall(
    {
      dialed: '+81120500001',
      caller: '+819011112222',
      answeredAt: '2026-11-21T01:00:00Z',
      endedAt: '2026-11-21T01:03:01Z', // 181 s: four 60 s units
      outboundLegs: [],
    },
    sheet,
  );
  assert.equal(fromMobile.totalSen, 4 * 1800);
  assert.equal(fromMobile.complete, true);
  assert.deepEqual(
    fromMobile.lines.map((l) => [l.leg, l.peerClass, l.seconds, l.units, l.amountSen]),
    [['inbound', 'mobile', 181, 4, 7200]],
  );
  const fromFixed = rateCall(
    {
      dialed: '0120-500-001',
      caller: '0312345678',
      answeredAt: '2026-11-21T01:00:00Z',
      endedAt: '2026-11-21T01:03:00Z', // exactly one 180 s unit
      outboundLegs: [],
    },
    sheet,
  );
  assert.equal(fromFixed.totalSen, 935);
});

test('early media only (never answered) and numbers the caller pays for cost the client nothing', () => {
  const earlyOnly = rateCall(
    {
      dialed: '+81120500001',
      caller: '+819011112222',
      answeredAt: null,
      endedAt: '2026-11-21T01:00:30Z',
      outboundLegs: [],
    },
    sheet,
  );
  assert.deepEqual(earlyOnly, { totalSen: 0, complete: true, lines: [] });
  const geographic = rateCall(
    {
      dialed: '+81350000001',
      caller: '+819011112222',
      answeredAt: '2026-11-21T01:00:00Z',
      endedAt: '2026-11-21T01:10:00Z',
      outboundLegs: [],
    },
    sheet,
  );
  assert.equal(geographic.lines.length, 0);
});

test('outbound legs to phone numbers are charged by destination; SIP URIs are on-net', () => {
  const r = rateCall(
    {
      dialed: '+81350000001',
      caller: '+819011112222',
      answeredAt: '2026-11-21T01:00:00Z',
      endedAt: '2026-11-21T01:10:00Z',
      outboundLegs: [
        {
          id: 'leg-1',
          peer: '+815011112222',
          answeredAt: '2026-11-21T01:00:05Z',
          endedAt: '2026-11-21T01:06:05Z',
        },
        {
          id: 'leg-2',
          peer: 'sip:client@127.0.0.1:5090',
          answeredAt: '2026-11-21T01:00:05Z',
          endedAt: '2026-11-21T01:06:05Z',
        },
        { id: 'leg-3', peer: '+81312345678', answeredAt: null, endedAt: '2026-11-21T01:00:20Z' },
      ],
    },
    sheet,
  );
  assert.deepEqual(
    r.lines.map((l) => [l.leg, l.kind, l.units, l.amountSen]),
    [['leg-1', 'outbound', 2, 2310]],
  );
});

test('a chargeable leg without a tariff is unrated and marks the call incomplete; "any" is a fallback', () => {
  const input = {
    dialed: '+81120500001',
    caller: '+12025550100',
    answeredAt: '2026-11-21T01:00:00Z',
    endedAt: '2026-11-21T01:01:00Z',
    outboundLegs: [],
  };
  const unrated = rateCall(input, sheet);
  assert.equal(unrated.complete, false);
  assert.equal(unrated.totalSen, 0);
  assert.equal(unrated.lines[0]?.tariffId, null);
  const withAny = rateCall(input, [...sheet, tariff('toll_free_inbound', 'any', 60, 5000)]);
  assert.equal(withAny.complete, true);
  assert.equal(withAny.totalSen, 5000);
  assert.equal(withAny.lines[0]?.tariffId, 'toll_free_inbound/any');
});
