// The reconciliation against the bill: per UTC day and service, what
// the ledger estimated beside what the AWS bill charged, and the
// variance (bill − ledger) with its share of the bill, as the API
// computes them.

import { useMemo } from 'preact/hooks';

import { api } from '../api';
import type { Option } from './chart';
import { chartNumber, day } from './exact';
import { Figure } from './figure';
import { useLoad } from './load';
import type { Cell, Table } from './table';
import type { Reconciled, Reconciliation as Report } from './types';

const cells = (r: Reconciled): Cell[] => [r.ledger.cost, r.billed.cost, r.variance.cost, r.variance_share_percent];

export function Reconciliation({ from, to }: { from: string; to: string }) {
  const loaded = useLoad(() => api<Report>(`/v1/finance/reconciliation?from=${from}&to=${to}`), [from, to]);
  const rep = loaded.data;
  const table = useMemo<Table | null>(() => {
    if (!rep) return null;
    return {
      columns: [
        { key: 'day', label: 'Day (UTC)', kind: 'day' },
        { key: 'service', label: 'Service', kind: 'text' },
        { key: 'ledger_usd', label: 'Ledger', kind: 'usd' },
        { key: 'billed_usd', label: 'Billed', kind: 'usd' },
        { key: 'variance_usd', label: 'Variance (bill − ledger)', kind: 'usd' },
        { key: 'variance_share_percent', label: 'Variance share of bill', kind: 'percent' },
      ],
      rows: rep.rows.map((r) => [r.day ?? null, r.service ?? null, ...cells(r)]),
      totals: [['TOTAL', null, ...cells(rep.totals)]],
    };
  }, [rep]);
  const option = useMemo<Option | null>(() => {
    if (!table) return null;
    const days = [...new Set(table.rows.map((r) => r[0] ?? ''))].sort();
    const services = [...new Set(table.rows.map((r) => r[1] ?? ''))].sort();
    // Two stacks per day, the ledger's and the bill's, each by service.
    const stack = (what: 'Ledger' | 'Billed', col: number) =>
      services.map((s) => ({
        name: `${what}: ${s}`,
        type: 'bar',
        stack: what,
        data: days.map((d) => chartNumber(table.rows.find((r) => r[0] === d && r[1] === s)?.[col]) ?? 0),
      }));
    return {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', bottom: 0 },
      grid: { left: 8, right: 8, top: 16, bottom: 48, containLabel: true },
      xAxis: { type: 'category', data: days.map(day) },
      yAxis: { type: 'value', name: 'USD' },
      series: [...stack('Ledger', 2), ...stack('Billed', 3)],
    };
  }, [table]);
  return (
    <Figure
      id="reconciliation"
      title="Reconciliation against the bill"
      description={`Bars: for each UTC day from ${from} to ${to}, the ledger's estimate and the bill, each stacked by service.`}
      table={table}
      option={option}
      csvName={`innkeeper-reconciliation-${from}-${to}.csv`}
      loading={loaded.loading}
      error={loaded.error}
    />
  );
}
