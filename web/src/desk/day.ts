// A hotel's day at the front desk: its arrivals, departures and guests
// in house, read from the reservations whose stay touches today in the
// hotel's own time zone.

import { api } from '../api';
import type { Page, Reservation, Status } from './types';

/** hotelToday is today's date (YYYY-MM-DD) in the time zone tz. */
export function hotelToday(tz: string, now = new Date()): string {
  try {
    // en-CA writes dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

export function shiftDay(iso: string, n: number): string {
  const d = new Date(iso + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** PageSize is the API's largest page. */
const PageSize = 200;

/** MaxPages bounds how far one list is read. */
const MaxPages = 10;

/** reservations reads every page of a hotel's reservations matching query. */
export async function reservations(hotel: string, query: Record<string, string>): Promise<Reservation[]> {
  const out: Reservation[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < MaxPages; i++) {
    const q = new URLSearchParams({ ...query, limit: String(PageSize) });
    if (cursor) q.set('cursor', cursor);
    const page: Page = await api<Page>(`/v1/admin/hotels/${encodeURIComponent(hotel)}/reservations?${q}`);
    out.push(...page.reservations);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

export interface Day {
  today: string;
  arrivals: Reservation[];
  departures: Reservation[];
  inHouse: Reservation[];
}

const gone = new Set<Status>(['cancelled', 'expired']);

/**
 * deskDay reads the stays that overlap yesterday to tomorrow (the API
 * lists the stays overlapping [from, to)) and sorts them into the day's
 * lists: who arrives today, who leaves today, and who is checked in.
 */
export async function deskDay(hotel: string, today: string): Promise<Day> {
  const rs = await reservations(hotel, { from: shiftDay(today, -1), to: shiftDay(today, 1) });
  return {
    today,
    arrivals: rs.filter((r) => r.check_in === today && !gone.has(r.status)),
    departures: rs.filter((r) => r.check_out === today && !gone.has(r.status)),
    inHouse: rs.filter((r) => r.status === 'checked_in'),
  };
}
