/**
 * Read-backs composed from small cached fragments: digits one by one, queue positions,
 * minutes, and a callback window 「11月22日 10時から11時まで」.
 *
 * Japanese counters change the sound of the number (ついたち, よっか, いっぷん, よじ), so a
 * fragment is a whole "number + counter" word rather than number + counter glued from
 * two recordings; that keeps the read-back natural and the fragment set small (240 read-back fragments).
 * Digits use the telephone reading (にー, ごー: long vowels keep one-mora digits audible).
 */
import { MediaError, MediaErrorCode } from '../media-error.ts';
import type { CallbackWindow, PromptParams, PromptSlot, SpeechText } from './prompt-catalogue.ts';

/** One cacheable piece of speech. `key` names the cache file; `reading` feeds the TTS. */
export interface SpeechFragment extends SpeechText {
  readonly key: string;
}

const DIGIT_READINGS: Readonly<Record<string, string>> = {
  '0': 'ぜろ',
  '1': 'いち',
  '2': 'にー',
  '3': 'さん',
  '4': 'よん',
  '5': 'ごー',
  '6': 'ろく',
  '7': 'なな',
  '8': 'はち',
  '9': 'きゅう',
  '*': 'こめじるし',
  '#': 'しゃーぷ',
};

const DIGIT_KEYS: Readonly<Record<string, string>> = { '*': 'star', '#': 'hash' };

const ONES = ['', 'いち', 'に', 'さん', 'よん', 'ご', 'ろく', 'なな', 'はち', 'きゅう'];

/** Cardinal 1–99 in hiragana: 32 → さんじゅうに. */
export function cardinalReading(n: number): string {
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  const tenPart = tens === 0 ? '' : `${tens === 1 ? '' : ONES[tens]}じゅう`;
  return tenPart + ONES[ones]!;
}

const MONTHS = [
  'いちがつ',
  'にがつ',
  'さんがつ',
  'しがつ',
  'ごがつ',
  'ろくがつ',
  'しちがつ',
  'はちがつ',
  'くがつ',
  'じゅうがつ',
  'じゅういちがつ',
  'じゅうにがつ',
];

/** Days of the month with their irregular readings (1–10, 14, 20, 24). */
const DAY_SPECIAL: Readonly<Record<number, string>> = {
  1: 'ついたち',
  2: 'ふつか',
  3: 'みっか',
  4: 'よっか',
  5: 'いつか',
  6: 'むいか',
  7: 'なのか',
  8: 'ようか',
  9: 'ここのか',
  10: 'とおか',
  14: 'じゅうよっか',
  20: 'はつか',
  24: 'にじゅうよっか',
};

function dayReading(day: number): string {
  const special = DAY_SPECIAL[day];
  if (special !== undefined) return special;
  const ones = day % 10;
  // 7 and 9 read しち/く before 日; the rest is the cardinal.
  const onesReading = ones === 7 ? 'しち' : ones === 9 ? 'く' : ONES[ones]!;
  const tens = Math.floor(day / 10);
  return `${tens === 1 ? '' : ONES[tens]}じゅう${onesReading}にち`;
}

const HOUR_ONES = ['', 'いち', 'に', 'さん', 'よ', 'ご', 'ろく', 'しち', 'はち', 'く'];

function hourReading(hour: number): string {
  if (hour === 0) return 'れいじ';
  const tens = Math.floor(hour / 10);
  const tenPart = tens === 0 ? '' : `${tens === 1 ? '' : ONES[tens]}じゅう`;
  return `${tenPart}${HOUR_ONES[hour % 10]}じ`;
}

/** Minutes with the ふん/ぷん alternation: 1 いっぷん, 3 さんぷん, 10 じゅっぷん. */
const MINUTE_ONES = [
  '',
  'いっぷん',
  'にふん',
  'さんぷん',
  'よんぷん',
  'ごふん',
  'ろっぷん',
  'ななふん',
  'はっぷん',
  'きゅうふん',
];

function minuteReading(minutes: number): string {
  if (minutes === 0) return 'ぜろふん';
  const tens = Math.floor(minutes / 10);
  const ones = minutes % 10;
  const tenWord = tens === 1 ? 'じゅう' : `${ONES[tens]}じゅう`;
  if (ones === 0) return `${tens === 1 ? '' : ONES[tens]}じゅっぷん`;
  return (tens === 0 ? '' : tenWord) + MINUTE_ONES[ones]!;
}

function checkInt(name: string, value: number | undefined, min: number, max: number): number {
  if (value === undefined || !Number.isInteger(value) || value < min || value > max) {
    throw new MediaError(
      MediaErrorCode.InvalidArgument,
      `prompt parameter ${name} must be an integer ${min}–${max}, got ${String(value)}`,
    );
  }
  return value;
}

export function digitFragment(digit: string): SpeechFragment {
  const reading = DIGIT_READINGS[digit];
  if (reading === undefined) {
    throw new MediaError(MediaErrorCode.InvalidArgument, `cannot read back digit ${digit}`);
  }
  return { key: `digit_${DIGIT_KEYS[digit] ?? digit}`, text: digit, reading };
}

export function positionFragment(position: number): SpeechFragment {
  const n = checkInt('position', position, 1, 99);
  return { key: `position_${n}`, text: `${n}番目`, reading: `${cardinalReading(n)}ばんめ` };
}

export function minutesFragment(minutes: number): SpeechFragment {
  const n = checkInt('minutes', minutes, 0, 59);
  return { key: `minutes_${n}`, text: `${n}分`, reading: minuteReading(n) };
}

export function windowFragments(window: CallbackWindow): SpeechFragment[] {
  const month = checkInt('window.month', window.month, 1, 12);
  const day = checkInt('window.day', window.day, 1, 31);
  const start = checkInt('window.startHour', window.startHour, 0, 23);
  const end = checkInt('window.endHour', window.endHour, 0, 24);
  return [
    { key: `month_${month}`, text: `${month}月`, reading: MONTHS[month - 1]! },
    { key: `day_${day}`, text: `${day}日`, reading: dayReading(day) },
    { key: `hour_${start}`, text: `${start}時`, reading: hourReading(start) },
    { key: 'word_kara', text: 'から', reading: 'から' },
    { key: `hour_${end % 24}`, text: `${end}時`, reading: hourReading(end % 24) },
    { key: 'word_made', text: 'まで', reading: 'まで' },
  ];
}

/** The fragments that fill one slot. */
export function slotFragments(slot: PromptSlot, params: PromptParams): SpeechFragment[] {
  switch (slot) {
    case 'digits': {
      const digits = params.digits ?? '';
      if (!/^[0-9*#]{1,32}$/.test(digits)) {
        throw new MediaError(
          MediaErrorCode.InvalidArgument,
          `prompt parameter digits must be 1–32 of 0-9*#, got ${JSON.stringify(digits)}`,
        );
      }
      return [...digits].map(digitFragment);
    }
    case 'position':
      return [positionFragment(params.position as number)];
    case 'minutes':
      return [minutesFragment(params.minutes as number)];
    case 'window': {
      if (params.window === undefined) {
        throw new MediaError(MediaErrorCode.InvalidArgument, 'prompt parameter window missing');
      }
      return windowFragments(params.window);
    }
  }
}

/** Every fragment a read-back can use (for pre-rendering at install time). */
export function allReadbackFragments(): SpeechFragment[] {
  const out: SpeechFragment[] = [];
  for (const d of Object.keys(DIGIT_READINGS)) out.push(digitFragment(d));
  for (let n = 1; n <= 99; n++) out.push(positionFragment(n));
  for (let n = 0; n <= 59; n++) out.push(minutesFragment(n));
  const seen = new Set(out.map((f) => f.key));
  for (let m = 1; m <= 12; m++) {
    for (const f of windowFragments({ month: m, day: m, startHour: m, endHour: m + 12 })) {
      if (!seen.has(f.key)) out.push(f);
      seen.add(f.key);
    }
  }
  for (let d = 1; d <= 31; d++) {
    const f = windowFragments({ month: 1, day: d, startHour: 0, endHour: 0 })[1]!;
    if (!seen.has(f.key)) out.push(f);
    seen.add(f.key);
  }
  return out;
}
