// Figure is one finance chart with what comes with every chart: a CSV
// download of exactly its figures and the data table on demand (the
// accessible alternative to the canvas).

import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';

import { Chart, type Option } from './chart';
import { csvText, display, type Table } from './table';

export interface FigureProps {
  id: string;
  title: string;
  /** description says what the chart shows, for the canvas' label. */
  description: string;
  table: Table | null;
  option: Option | null;
  csvName: string;
  loading?: boolean;
  error?: string | null;
  children?: ComponentChildren;
}

export function Figure(p: FigureProps) {
  const csv = useMemo(() => (p.table ? csvText(p.table) : ''), [p.table]);
  const [href, setHref] = useState<string | null>(null);
  useEffect(() => {
    if (!csv) {
      setHref(null);
      return;
    }
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [csv]);
  const headingId = `${p.id}-title`;
  const empty = p.table != null && p.table.rows.length === 0;
  return (
    <section class="figure" aria-labelledby={headingId} data-figure={p.id} aria-busy={p.loading ? 'true' : 'false'}>
      <h2 id={headingId}>{p.title}</h2>
      {p.children}
      {p.error && (
        <p role="alert" class="problem">
          {p.error}
        </p>
      )}
      {p.loading && <p class="loading">Loading…</p>}
      {empty && <p class="empty">No figures for this period.</p>}
      {p.option && !empty && <Chart option={p.option} label={p.description} />}
      {p.table && (
        <>
          <p class="figure-actions">
            {href && (
              <a class="button" href={href} download={p.csvName} data-csv={p.id}>
                Download CSV<span class="visually-hidden"> of {p.title}</span>
              </a>
            )}
          </p>
          <details class="data-table">
            <summary>Data table<span class="visually-hidden"> of {p.title}</span></summary>
            <DataTable table={p.table} caption={p.title} id={p.id} />
          </details>
        </>
      )}
    </section>
  );
}

/** DataTable renders a table model; each cell keeps its exact figure in data-value. */
export function DataTable({ table, caption, id }: { table: Table; caption: string; id: string }) {
  const numeric = (k: string) => k !== 'text' && k !== 'day' && k !== 'instant';
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table data-table={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th scope="col" data-key={c.key} class={numeric(c.kind) ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r) => (
            <tr>
              {r.map((v, i) =>
                i === 0 ? (
                  <th scope="row" data-key={table.columns[i].key} data-value={v ?? ''}>
                    {display(table, r, i)}
                  </th>
                ) : (
                  <td data-key={table.columns[i].key} data-value={v ?? ''} class={numeric(table.columns[i].kind) ? 'num' : undefined}>
                    {display(table, r, i)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
        {table.totals.length > 0 && (
          <tfoot>
            {table.totals.map((r) => (
              <tr data-total="">
                {r.map((v, i) =>
                  i === 0 ? (
                    <th scope="row" data-key={table.columns[i].key} data-value={v ?? ''}>
                      {v === 'TOTAL' ? 'Total' : display(table, r, i)}
                    </th>
                  ) : (
                    <td data-key={table.columns[i].key} data-value={v ?? ''} class={numeric(table.columns[i].kind) ? 'num' : undefined}>
                      {display(table, r, i)}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tfoot>
        )}
      </table>
    </div>
  );
}
