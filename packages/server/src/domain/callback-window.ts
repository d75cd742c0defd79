import { japanTime } from './call-flow/business-hours.ts';

const weekdayKanji = ['日', '月', '火', '水', '木', '金', '土'] as const;

function day(at: Date): string {
  const j = new Date(at.getTime() + 9 * 3600_000);
  return `${j.getUTCMonth() + 1}月${j.getUTCDate()}日(${weekdayKanji[j.getUTCDay()]})`;
}

function clock(at: Date): string {
  const { minutes } = japanTime(at);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h}時` : `${h}時${m}分`;
}

/**
 * A callback window in Japan time, the way a person writes it: "11月22日(日) 10時~11時".
 * The most common callback failure is calling at the wrong time (PRODUCT.md), so the
 * window is always explicit, with the weekday. A window that spans days names both.
 */
export function formatCallbackWindow(startIso: string, endIso: string): string {
  const start = new Date(startIso);
  const end = new Date(endIso);
  const sameDay = japanTime(start).date === japanTime(end).date;
  // A window ending at midnight reads "22時~24時", not "~翌日0時".
  const endsAtMidnight =
    japanTime(end).minutes === 0 &&
    japanTime(new Date(end.getTime() - 1)).date === japanTime(start).date;
  if (sameDay || endsAtMidnight) {
    return `${day(start)} ${clock(start)}~${endsAtMidnight && !sameDay ? '24時' : clock(end)}`;
  }
  return `${day(start)} ${clock(start)}~${day(end)} ${clock(end)}`;
}
