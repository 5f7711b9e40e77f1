// Cost per day, stacked by function or by route: one costs report per
// UTC day grouped by the chosen dimension (the API groups by one
// dimension at a time), each day's total as the API sums it. Reports
// are kept per (day, dimension) and read a few at a time (daily.ts).

import { useMemo, useState } from 'preact/hooks';

import type { Option } from './chart';
import { costsOfDay } from './daily';
import { chartNumber, day, daysOf } from './exact';
import { Figure } from './figure';
import { useLoad } from './load';
import type { Table } from './table';

type Stack = 'function' | 'route';

/** noKey names the invocations without a value for the group (no route). */
const noKey = '(none)';

/** MaxStackedDays bounds the days read one report each. */
export const MaxStackedDays = 62;

export function CostsByDay({ from, to }: { from: string; to: string }) {
  const [by, setBy] = useState<Stack>('function');
  const days = useMemo(() => daysOf(from, to), [from, to]);
  const tooLong = days.length > MaxStackedDays;
  const loaded = useLoad(
    tooLong
      ? null
      : () =>
          Promise.all(days.map((d) => costsOfDay(d, by).then((c) => ({ day: d, c })))),
    [from, to, by],
  );
  const table = useMemo<Table | null>(() => {
    if (!loaded.data) return null;
    const keys: string[] = [];
    for (const { c } of loaded.data) {
      for (const r of c.rows) {
        const k = r.key ?? noKey;
        if (!keys.includes(k)) keys.push(k);
      }
    }
    keys.sort();
    return {
      columns: [
        { key: 'day', label: 'Day (UTC)', kind: 'day' },
        ...keys.map((k) => ({ key: k, label: k, kind: 'usd' as const })),
        { key: 'total_usd', label: 'Total', kind: 'usd' },
      ],
      rows: loaded.data.map(({ day: d, c }) => {
        const byKey = new Map(c.rows.map((r) => [r.key ?? noKey, r.cost]));
        return [d, ...keys.map((k) => byKey.get(k) ?? null), c.totals.cost];
      }),
      totals: [],
    };
  }, [loaded.data]);
  const option = useMemo<Option | null>(() => {
    if (!table) return null;
    const keys = table.columns.slice(1, -1);
    return {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 8, right: 8, top: 16, bottom: 48, containLabel: true },
      xAxis: { type: 'category', data: table.rows.map((r) => day(r[0] ?? '')) },
      yAxis: { type: 'value', name: 'USD' },
      series: keys.map((k, i) => ({
        name: k.label,
        type: 'bar',
        stack: 'cost',
        data: table.rows.map((r) => chartNumber(r[i + 1]) ?? 0),
      })),
    };
  }, [table]);
  return (
    <Figure
      id="costs-by-day"
      title={`Cost per day by ${by}`}
      description={`Stacked bars: the infrastructure cost of each UTC day from ${from} to ${to}, split by ${by}.`}
      table={table}
      option={option}
      csvName={`innkeeper-costs-per-day-by-${by}-${from}-${to}.csv`}
      loading={loaded.loading}
      error={tooLong ? `Choose at most ${MaxStackedDays} days for the daily cost chart.` : loaded.error}
    >
      <fieldset class="inline">
        <legend>Stack by</legend>
        {(['function', 'route'] as const).map((s) => (
          <label>
            <input type="radio" name="costs-stack" value={s} checked={by === s} onChange={() => setBy(s)} /> {s}
          </label>
        ))}
      </fieldset>
    </Figure>
  );
}
