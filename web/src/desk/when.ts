// Dates at the desk: a stay's calendar days are the hotel's, shown as
// they are (no time zone shift), in the user's locale.

const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** calendarDay formats a YYYY-MM-DD day in the user's locale. */
export function calendarDay(iso: string): string {
  const d = new Date(iso + 'T00:00:00Z');
  return Number.isNaN(d.getTime()) ? iso : dayFormat.format(d);
}

/** stay formats a stay's first and last morning with its nights. */
export function stay(r: { check_in: string; check_out: string; nights: number }): string {
  return `${calendarDay(r.check_in)} → ${calendarDay(r.check_out)} (${r.nights} ${r.nights === 1 ? 'night' : 'nights'})`;
}
