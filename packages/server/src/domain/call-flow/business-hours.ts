/**
 * Business hours in Japan time (Asia/Tokyo, UTC+9, no daylight saving): weekly opening
 * intervals, Japanese public holidays (from @holiday-jp/holiday_jp) and one-off closures
 * such as 年末年始 or a company trip.
 */
import holidayJp from '@holiday-jp/holiday_jp';

export const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof weekdays)[number];

/** "HH:MM" with 00:00 ≤ from < to ≤ 24:00. */
export interface Interval {
  from: string;
  to: string;
}

export interface BusinessHours {
  weekly: Partial<Record<Weekday, Interval[]>>;
  /** What a public holiday means: closed all day, or the weekly hours as usual. */
  holidays: 'closed' | 'weekly';
  /** Whole days closed, YYYY-MM-DD inclusive, Japan dates. */
  closures: { from: string; to: string; note?: string }[];
}

export const alwaysOpen: BusinessHours = {
  weekly: Object.fromEntries(weekdays.map((d) => [d, [{ from: '00:00', to: '24:00' }]])),
  holidays: 'weekly',
  closures: [],
};

const jstOffsetMs = 9 * 3600_000;

/** The Japan calendar date and time of an instant. */
export function japanTime(at: Date): { date: string; weekday: Weekday; minutes: number } {
  const j = new Date(at.getTime() + jstOffsetMs);
  return {
    date: j.toISOString().slice(0, 10),
    weekday: weekdays[j.getUTCDay()]!,
    minutes: j.getUTCHours() * 60 + j.getUTCMinutes(),
  };
}

const holidayCache = new Map<number, Map<string, string>>();

/** The public holiday's Japanese name on a Japan date (YYYY-MM-DD), or undefined. */
export function japaneseHoliday(date: string): string | undefined {
  const year = Number(date.slice(0, 4));
  let byDate = holidayCache.get(year);
  if (!byDate) {
    byDate = new Map();
    // The library stores each holiday as UTC midnight of its date.
    for (const h of holidayJp.between(
      new Date(`${year}-01-01T00:00:00Z`),
      new Date(`${year}-12-31T00:00:00Z`),
    )) {
      byDate.set(new Date(h.date).toISOString().slice(0, 10), h.name);
    }
    holidayCache.set(year, byDate);
  }
  return byDate.get(date);
}

export function toMinutes(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return Number.NaN;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return Number.NaN;
  return h * 60 + min;
}

/** Problems with a schedule, each with its path; empty when it is valid. */
export function checkBusinessHours(
  h: BusinessHours,
  path: string,
): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  for (const [day, intervals] of Object.entries(h.weekly)) {
    const sorted = [...(intervals ?? [])]
      .map((i, n) => ({ ...i, n }))
      .sort((a, b) => toMinutes(a.from) - toMinutes(b.from));
    let lastEnd = -1;
    for (const i of sorted) {
      const from = toMinutes(i.from);
      const to = toMinutes(i.to);
      const p = `${path}.weekly.${day}[${i.n}]`;
      if (Number.isNaN(from) || Number.isNaN(to))
        out.push({
          path: p,
          message: `times must be HH:MM from 00:00 to 24:00 (got ${i.from}-${i.to})`,
        });
      else if (from >= to)
        out.push({
          path: p,
          message: `${i.from} is not before ${i.to}; split an overnight shift across two days`,
        });
      else if (from < lastEnd) out.push({ path: p, message: `overlaps the interval before it` });
      else lastEnd = to;
    }
  }
  h.closures.forEach((c, n) => {
    const ok =
      /^\d{4}-\d{2}-\d{2}$/.test(c.from) &&
      /^\d{4}-\d{2}-\d{2}$/.test(c.to) &&
      !Number.isNaN(Date.parse(c.from)) &&
      !Number.isNaN(Date.parse(c.to));
    if (!ok) out.push({ path: `${path}.closures[${n}]`, message: 'dates must be YYYY-MM-DD' });
    else if (c.to < c.from)
      out.push({ path: `${path}.closures[${n}]`, message: `${c.to} is before ${c.from}` });
  });
  return out;
}

export type OpenState =
  | { open: true }
  | { open: false; reason: 'closed_hours' | 'holiday' | 'closure'; detail?: string };

export function openState(h: BusinessHours, at: Date): OpenState {
  const t = japanTime(at);
  const closure = h.closures.find((c) => c.from <= t.date && t.date <= c.to);
  if (closure) return { open: false, reason: 'closure', detail: closure.note };
  if (h.holidays === 'closed') {
    const name = japaneseHoliday(t.date);
    if (name) return { open: false, reason: 'holiday', detail: name };
  }
  const open = (h.weekly[t.weekday] ?? []).some(
    (i) => toMinutes(i.from) <= t.minutes && t.minutes < toMinutes(i.to),
  );
  return open ? { open: true } : { open: false, reason: 'closed_hours' };
}
