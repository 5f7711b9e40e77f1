// Exact figures for the finance view. The API gives cost as decimal
// dollar strings with nine decimals (nano-dollars) and hotel money as
// integer minor units; both are kept as the API wrote them in tables
// and CSV files, and only formatted for reading. Intl.NumberFormat
// formats a decimal string exactly (no float on the way), so
// "0.000012345" reads "$0.000012345", never a rounded float.

import { money, type Minor } from '../format';

const usdFormat = new Intl.NumberFormat(undefined, {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 9,
});

/** usd formats an exact decimal dollar string in the user's locale. */
export function usd(decimal: string | null | undefined): string {
  if (decimal == null || decimal === '') return '—';
  // Intl accepts a decimal string and keeps every digit of it.
  return usdFormat.format(decimal as unknown as number);
}

/** cents formats integer minor units of a currency in the user's locale. */
export function cents(n: Minor | null | undefined, currency: string): string {
  if (n == null || n === '') return '—';
  return money(n, currency);
}

const percentFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** percent formats the API's one-decimal percentage string ("12.5"). */
export function percent(p: string | null | undefined): string {
  if (p == null || p === '') return '—';
  return percentFormat.format(p as unknown as number) + '\u00a0%';
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** day formats a UTC calendar day (YYYY-MM-DD) in the user's locale. */
export function day(iso: string): string {
  const d = new Date(iso + 'T00:00:00Z');
  return Number.isNaN(d.getTime()) ? iso : dayFormat.format(d);
}

/** chartNumber turns an exact figure into a number for drawing only. */
export function chartNumber(decimal: string | number | null | undefined): number | null {
  if (decimal == null || decimal === '') return null;
  const n = Number(decimal);
  return Number.isFinite(n) ? n : null;
}

/** addDays moves a YYYY-MM-DD day by n days (UTC). */
export function addDays(iso: string, n: number): string {
  const d = new Date(iso + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** daysOf lists the days from from to to, both included. */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length <= 400; d = addDays(d, 1)) out.push(d);
  return out;
}

/** todayUTC is today's UTC day. */
export function todayUTC(): string {
  return new Date().toISOString().slice(0, 10);
}
