// One booking's cost receipt as a waterfall: each invocation's share of
// its cost climbing to the receipt's total, which is the API's.

import { useMemo, useState } from 'preact/hooks';

import { api } from '../api';
import type { Option } from './chart';
import { chartNumber, usd } from './exact';
import { Figure } from './figure';
import { useLoad } from './load';
import { str, type Table } from './table';
import type { Receipt as Report } from './types';

export function Receipt() {
  const [typed, setTyped] = useState('');
  const [reference, setReference] = useState('');
  const loaded = useLoad(
    reference ? () => api<Report>(`/v1/finance/reservations/${encodeURIComponent(reference)}/cost`) : null,
    [reference],
  );
  const rc = loaded.data;
  const table = useMemo<Table | null>(() => {
    if (!rc) return null;
    return {
      columns: [
        { key: 'started', label: 'Started', kind: 'instant' },
        { key: 'function', label: 'Function', kind: 'text' },
        { key: 'trigger', label: 'Trigger', kind: 'text' },
        { key: 'billed_ms', label: 'Billed ms', kind: 'int' },
        { key: 'memory_mb', label: 'Memory MB', kind: 'int' },
        { key: 'cost_usd', label: 'Invocation cost', kind: 'usd' },
        { key: 'shared_by', label: 'Shared by', kind: 'int' },
        { key: 'share_usd', label: 'This booking’s share', kind: 'usd' },
      ],
      rows: rc.lines.map((l) => [
        l.started,
        l.function,
        l.trigger ?? l.trigger_kind,
        str(l.billed_ms),
        str(l.memory_mb),
        l.cost,
        str(l.shared_by),
        l.share,
      ]),
      totals: [['TOTAL', null, null, null, null, null, null, rc.total]],
    };
  }, [rc]);
  const option = useMemo<Option | null>(() => {
    if (!table || !rc) return null;
    // The invisible base of each step is the sum of the shares before it.
    const shares = table.rows.map((r) => chartNumber(r[7]) ?? 0);
    const base: number[] = [];
    shares.reduce((acc, s) => (base.push(acc), acc + s), 0);
    const labels = table.rows.map((r, i) => `${i + 1}. ${r[1]}`);
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: [...labels, 'Total'], axisLabel: { rotate: 30 } },
      yAxis: { type: 'value', name: 'USD' },
      series: [
        {
          name: 'Before',
          type: 'bar',
          stack: 'waterfall',
          itemStyle: { color: 'transparent' },
          emphasis: { disabled: true },
          tooltip: { show: false },
          data: [...base, 0],
        },
        {
          name: 'Share',
          type: 'bar',
          stack: 'waterfall',
          data: [...shares, chartNumber(rc.total) ?? 0],
        },
      ],
    };
  }, [table, rc]);
  return (
    <Figure
      id="receipt"
      title="A booking’s cost receipt"
      description={
        rc
          ? `Waterfall: the ${rc.lines.length} invocations of booking ${rc.reference}, each adding its share, up to the total ${usd(rc.total)}.`
          : 'Waterfall of a booking’s cost, once a reference is given.'
      }
      table={table}
      option={option}
      csvName={`innkeeper-cost-receipt-${reference}.csv`}
      loading={loaded.loading}
      error={loaded.error}
    >
      <form
        class="control"
        onSubmit={(e) => {
          e.preventDefault();
          setReference(typed.trim().toUpperCase());
        }}
      >
        <label for="receipt-reference">Booking reference</label>{' '}
        <input
          id="receipt-reference"
          name="reference"
          autoComplete="off"
          placeholder="INK-…"
          value={typed}
          onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
        />{' '}
        <button type="submit">Show receipt</button>
      </form>
      {rc && (
        <p>
          {rc.reference} · {rc.hotel} · {rc.status} · total <span data-value={rc.total}>{usd(rc.total)}</span>
        </p>
      )}
    </Figure>
  );
}
