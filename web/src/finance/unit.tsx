// Cost per booking over time, marginal (the invocations' cost) and
// fully loaded (with the fixed cost accrued each day), as the
// unit-economics report gives them.

import { useMemo } from 'preact/hooks';

import { api } from '../api';
import type { Option } from './chart';
import { chartNumber, day, usd } from './exact';
import { Figure } from './figure';
import { useLoad } from './load';
import { str, type Table } from './table';
import type { UnitEconomics } from './types';

export function CostPerBooking({ from, to }: { from: string; to: string }) {
  const loaded = useLoad(() => api<UnitEconomics>(`/v1/finance/unit-economics?from=${from}&to=${to}`), [from, to]);
  const u = loaded.data;
  const table = useMemo<Table | null>(() => {
    if (!u) return null;
    return {
      columns: [
        { key: 'day', label: 'Day (UTC)', kind: 'day' },
        { key: 'bookings', label: 'Bookings', kind: 'int' },
        { key: 'marginal_cost_usd', label: 'Marginal cost', kind: 'usd' },
        { key: 'fixed_cost_usd', label: 'Fixed cost', kind: 'usd' },
        { key: 'fully_loaded_cost_usd', label: 'Fully loaded cost', kind: 'usd' },
        { key: 'marginal_per_booking_usd', label: 'Marginal per booking', kind: 'usd' },
        { key: 'fully_loaded_per_booking_usd', label: 'Fully loaded per booking', kind: 'usd' },
      ],
      rows: u.daily.map((d) => [
        d.day,
        str(d.bookings),
        d.marginal_cost.cost,
        d.fixed_cost.cost,
        d.fully_loaded_cost.cost,
        d.marginal_per_booking.cost,
        d.fully_loaded_per_booking.cost,
      ]),
      totals: [
        [
          'TOTAL',
          str(u.bookings),
          u.marginal.cost,
          u.fixed.cost,
          u.fully_loaded.cost,
          u.marginal.per_booking.cost,
          u.fully_loaded.per_booking.cost,
        ],
      ],
    };
  }, [u]);
  const option = useMemo<Option | null>(() => {
    if (!table) return null;
    const series = (name: string, col: number) => ({
      name,
      type: 'line',
      connectNulls: false,
      data: table.rows.map((r) => chartNumber(r[col])),
    });
    return {
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 8, right: 8, top: 16, bottom: 48, containLabel: true },
      xAxis: { type: 'category', data: table.rows.map((r) => day(r[0] ?? '')) },
      yAxis: { type: 'value', name: 'USD per booking' },
      series: [series('Marginal', 5), series('Fully loaded', 6)],
    };
  }, [table]);
  return (
    <Figure
      id="cost-per-booking"
      title="Cost per booking"
      description={`Lines: the marginal and the fully loaded cost per booking of each UTC day from ${from} to ${to}; a day without bookings has none.`}
      table={table}
      option={option}
      csvName={`innkeeper-cost-per-booking-${from}-${to}.csv`}
      loading={loaded.loading}
      error={loaded.error}
    >
      {u && (
        <dl class="summary">
          <div>
            <dt>Bookings</dt>
            <dd data-value={u.bookings}>{new Intl.NumberFormat().format(u.bookings)}</dd>
          </div>
          <div>
            <dt>Marginal per booking</dt>
            <dd data-value={u.marginal.per_booking.cost ?? ''}>{usd(u.marginal.per_booking.cost)}</dd>
          </div>
          <div>
            <dt>Fully loaded per booking</dt>
            <dd data-value={u.fully_loaded.per_booking.cost ?? ''}>{usd(u.fully_loaded.per_booking.cost)}</dd>
          </div>
          {!u.fully_loaded.complete && (
            <div>
              <dt>Fixed cost missing for</dt>
              <dd>{u.fixed_days_missing.length} days (not accrued yet): the fully loaded figures leave them out</dd>
            </div>
          )}
        </dl>
      )}
    </Figure>
  );
}
