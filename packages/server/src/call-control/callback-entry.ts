/**
 * Turning keypad entries into a callback window (自動コールバック), in Japan time.
 *
 *   date:  4 digits MMDD (1122 = 11月22日), or nothing (#) for today; the next such date
 *          not before today, at most `maxDaysAhead` days ahead
 *   time:  2 digits HH, the start of a one-hour window (10 = 10時~11時), within the
 *          flow's hours; today, it must start after the current hour
 */
import { japanTime } from '../domain/call-flow/business-hours.ts';

export interface WindowRules {
  firstHour: number;
  lastHour: number;
  maxDaysAhead: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const dayMs = 86_400_000;

/** The Japan date (YYYY-MM-DD) the caller means, or why not. */
export function parseCallbackDate(digits: string, now: Date, rules: WindowRules): Parsed<string> {
  const today = japanTime(now).date;
  if (digits === '') return { ok: true, value: today };
  if (!/^\d{4}$/.test(digits))
    return { ok: false, reason: 'the date is four digits, month and day' };
  const month = Number(digits.slice(0, 2));
  const day = Number(digits.slice(2));
  const year = Number(today.slice(0, 4));
  for (const y of [year, year + 1]) {
    const iso = `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const d = new Date(`${iso}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.getUTCMonth() + 1 !== month || d.getUTCDate() !== day) {
      return { ok: false, reason: `${month}月${day}日 is not a date` };
    }
    if (iso < today) continue;
    const daysAhead = Math.round((d.getTime() - new Date(`${today}T00:00:00Z`).getTime()) / dayMs);
    if (daysAhead > rules.maxDaysAhead)
      return { ok: false, reason: `more than ${rules.maxDaysAhead} days ahead` };
    return { ok: true, value: iso };
  }
  return { ok: false, reason: 'in the past' };
}

/** The one-hour window starting at HH on that Japan date, as UTC instants. */
export function parseCallbackHour(
  digits: string,
  date: string,
  now: Date,
  rules: WindowRules,
): Parsed<{ start: string; end: string }> {
  if (!/^\d{1,2}$/.test(digits)) return { ok: false, reason: 'the hour is two digits' };
  const hour = Number(digits);
  if (hour < rules.firstHour || hour + 1 > rules.lastHour) {
    return { ok: false, reason: `callbacks run from ${rules.firstHour}時 to ${rules.lastHour}時` };
  }
  const start = new Date(`${date}T${String(hour).padStart(2, '0')}:00:00+09:00`);
  if (start.getTime() <= now.getTime())
    return { ok: false, reason: 'that hour has begun or passed' };
  return {
    ok: true,
    value: { start: start.toISOString(), end: new Date(start.getTime() + 3600_000).toISOString() },
  };
}
