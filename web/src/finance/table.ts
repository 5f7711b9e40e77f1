// The data behind a chart: columns, rows of exact cells and totals.
// One model renders the accessible table, writes the CSV file and feeds
// the chart, so the three cannot disagree.

import { cents, day, percent, usd } from './exact';

/** Kind says how a column's exact cells are read. */
export type Kind = 'text' | 'day' | 'instant' | 'int' | 'usd' | 'cents' | 'percent';

/** Column is one column: its CSV name, its heading and its kind. */
export interface Column {
  key: string;
  label: string;
  kind: Kind;
  /** currency names the column holding a cents column's currency. */
  currency?: string;
}

/** Cell is a figure exactly as the API gave it; null where it has none. */
export type Cell = string | null;

/** Table is a figure's data. */
export interface Table {
  columns: Column[];
  rows: Cell[][];
  /** totals are rows the API computed (a period's or a currency's total). */
  totals: Cell[][];
}

const instantFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** display formats a cell of column c in row for reading. */
export function display(t: Table, row: Cell[], c: number): string {
  const col = t.columns[c];
  const v = row[c];
  if (v == null || v === '') return '—';
  switch (col.kind) {
    case 'day':
      return /^\d{4}-\d{2}-\d{2}$/.test(v) ? day(v) : v;
    case 'instant': {
      const d = new Date(v);
      return Number.isNaN(d.getTime()) ? v : instantFormat.format(d);
    }
    case 'int':
      return new Intl.NumberFormat().format(BigInt(v));
    case 'usd':
      return usd(v);
    case 'cents': {
      const ci = col.currency ? t.columns.findIndex((x) => x.key === col.currency) : -1;
      const cur = ci >= 0 ? row[ci] : null;
      return cur ? cents(v, cur) : v;
    }
    case 'percent':
      return percent(v);
    default:
      return v;
  }
}

/** csvText writes the table as RFC 4180 CSV: the header, the rows, the totals. */
export function csvText(t: Table): string {
  const lines = [t.columns.map((c) => c.key), ...t.rows, ...t.totals].map((r) =>
    r.map((cell, i) => csvCell(cell, t.columns[i]?.kind ?? 'text')).join(','),
  );
  return lines.join('\r\n') + '\r\n';
}

function csvCell(v: Cell, kind: Kind): string {
  let s = v ?? '';
  // A text cell a spreadsheet would read as a formula is quoted as text;
  // numbers (a negative variance) are left as they are.
  if (kind === 'text' && s !== '' && '=+-@\t\r'.includes(s[0])) s = "'" + s;
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** str turns an API figure into a cell. */
export function str(v: string | number | null | undefined): Cell {
  return v == null ? null : String(v);
}
