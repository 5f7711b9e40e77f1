// Daily costs for the stacked cost chart: the API groups one costs
// report by one dimension, so the chart reads one report per day. The
// reports are kept for the page session per (day, group), so switching
// the stacking back or moving the range reads only the days not read
// yet, and at most a few are read at once.

import { api } from '../api';
import { todayUTC } from './exact';
import type { Costs } from './types';

/** Parallel is how many daily reports are read at once. */
export const Parallel = 4;

/** TodayTTL is how long a report of a day not over yet (UTC) is kept, in ms. */
export const TodayTTL = 5 * 60 * 1000;

/** limiter runs the functions given to it at most n at a time, in order. */
export function limiter(n: number) {
  let running = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (running >= n) return;
    const go = queue.shift();
    if (go) go();
  };
  return <T>(f: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        running++;
        f()
          .then(resolve, reject)
          .finally(() => {
            running--;
            next();
          });
      });
      next();
    });
}

type Read = (day: string, group: string) => Promise<Costs>;

/**
 * dailyCosts reads days' reports through read, Parallel at a time,
 * keeping each (day, group) report; a failed read is not kept.
 */
export function dailyCosts(read: Read, now: () => number = Date.now, today: () => string = todayUTC) {
  const kept = new Map<string, { at: number; report: Promise<Costs> }>();
  const run = limiter(Parallel);
  return (day: string, group: string): Promise<Costs> => {
    const k = `${day}|${group}`;
    const hit = kept.get(k);
    if (hit && (day < today() || now() - hit.at < TodayTTL)) return hit.report;
    const report = run(() => read(day, group));
    kept.set(k, { at: now(), report });
    report.catch(() => {
      if (kept.get(k)?.report === report) kept.delete(k);
    });
    return report;
  };
}

/** costsOfDay is the page's reader of daily cost reports. */
export const costsOfDay = dailyCosts((d, by) =>
  api<Costs>(`/v1/finance/costs?from=${d}&to=${d}&group_by=${encodeURIComponent(by)}`),
);
