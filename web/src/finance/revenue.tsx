// Revenue (occupancy, ADR, RevPAR) beside the infrastructure cost, per
// night: the revenue report carries both, per currency. Its range is
// one of nights with "to" excluded, so the view's last day is its
// last night.

import { useMemo, useState } from 'preact/hooks';

import { api } from '../api';
import { decimal, minorDigits } from '../format';
import type { Option } from './chart';
import { addDays, chartNumber, day } from './exact';
import { Figure } from './figure';
import { useLoad } from './load';
import { str, type Cell, type Table } from './table';
import type { Hotels, Revenue as Report, RevenueFigures } from './types';

const figures = (r: RevenueFigures): Cell[] => [
  r.currency,
  str(r.room_nights_sold),
  str(r.room_nights_available),
  r.occupancy_percent,
  str(r.room_revenue_cents),
  str(r.adr_cents),
  str(r.revpar_cents),
  r.infra_cost.cost,
];

export function Revenue({ from, to }: { from: string; to: string }) {
  const [hotel, setHotel] = useState('');
  const hotels = useLoad(() => api<Hotels>('/v1/hotels'), []);
  const loaded = useLoad(
    () =>
      api<Report>(
        `/v1/finance/revenue?from=${from}&to=${addDays(to, 1)}&group_by=day` +
          (hotel ? `&hotel=${encodeURIComponent(hotel)}` : ''),
      ),
    [from, to, hotel],
  );
  const rep = loaded.data;
  const table = useMemo<Table | null>(() => {
    if (!rep) return null;
    return {
      columns: [
        { key: 'day', label: 'Night', kind: 'day' },
        { key: 'currency', label: 'Currency', kind: 'text' },
        { key: 'room_nights_sold', label: 'Room nights sold', kind: 'int' },
        { key: 'room_nights_available', label: 'Room nights available', kind: 'int' },
        { key: 'occupancy_percent', label: 'Occupancy', kind: 'percent' },
        { key: 'room_revenue_cents', label: 'Room revenue', kind: 'cents', currency: 'currency' },
        { key: 'adr_cents', label: 'ADR', kind: 'cents', currency: 'currency' },
        { key: 'revpar_cents', label: 'RevPAR', kind: 'cents', currency: 'currency' },
        { key: 'infra_cost_usd', label: 'Infrastructure cost', kind: 'usd' },
      ],
      rows: rep.rows.map((r) => [r.day ?? null, ...figures(r)]),
      totals: rep.totals.map((t) => ['TOTAL', ...figures(t)]),
    };
  }, [rep]);
  const option = useMemo<Option | null>(() => {
    if (!table) return null;
    const days = [...new Set(table.rows.map((r) => r[0] ?? ''))].sort();
    const currencies = [...new Set(table.rows.map((r) => r[1] ?? ''))].sort();
    const at = (d: string, c: string) => table.rows.find((r) => r[0] === d && r[1] === c);
    // ADR and RevPAR are drawn in major units of their own currency, on
    // an axis of that currency's: amounts in different currencies never
    // share a scale.
    const money = (label: string, col: number) =>
      currencies.map((c, i) => ({
        name: `${label} (${c})`,
        type: 'bar',
        yAxisIndex: i,
        data: days.map((d) => {
          const v = at(d, c)?.[col];
          return v == null || v === '' ? null : chartNumber(decimal(v, minorDigits(c)));
        }),
      }));
    const occupancyAxis = currencies.length;
    const costAxis = currencies.length + 1;
    const occupancy = currencies.map((c) => ({
      name: `Occupancy % (${c})`,
      type: 'line',
      yAxisIndex: occupancyAxis,
      data: days.map((d) => chartNumber(at(d, c)?.[4])),
    }));
    // The cost of each currency's hotels, stacked: the day's cost.
    const cost = currencies.map((c) => ({
      name: `Infrastructure cost, ${c} hotels (USD)`,
      type: 'line',
      stack: 'cost',
      yAxisIndex: costAxis,
      data: days.map((d) => chartNumber(at(d, c)?.[8])),
    }));
    const axisWidth = 64;
    return {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 8 + axisWidth * Math.max(currencies.length - 1, 0), right: 100, top: 32, bottom: 48, containLabel: true },
      xAxis: { type: 'category', data: days.map(day) },
      yAxis: [
        ...currencies.map((c, i) => ({
          type: 'value',
          name: `ADR, RevPAR (${c})`,
          position: 'left',
          offset: axisWidth * i,
          alignTicks: i > 0,
        })),
        { type: 'value', name: 'Occupancy %', max: 100, position: 'right' },
        { type: 'value', name: 'USD', position: 'right', offset: 56 },
      ],
      series: [...money('ADR', 6), ...money('RevPAR', 7), ...occupancy, ...cost],
    };
  }, [table]);
  return (
    <Figure
      id="revenue"
      title="Revenue beside infrastructure cost"
      description={`For each night from ${from} to ${to}: ADR and RevPAR as bars, occupancy and the infrastructure cost as lines.`}
      table={table}
      option={option}
      csvName={`innkeeper-revenue-${hotel || 'all-hotels'}-${from}-${to}.csv`}
      loading={loaded.loading}
      error={loaded.error ?? hotels.error}
    >
      <p class="control">
        <label for="revenue-hotel">Hotel</label>{' '}
        <select id="revenue-hotel" value={hotel} onChange={(e) => setHotel((e.target as HTMLSelectElement).value)}>
          <option value="">All hotels</option>
          {hotels.data?.hotels.map((h) => (
            <option value={h.slug}>{h.name}</option>
          ))}
        </select>
      </p>
    </Figure>
  );
}
