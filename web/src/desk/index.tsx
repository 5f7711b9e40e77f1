// The front desk: a hotel's day (arrivals, departures, guests in house),
// a search by name, email or reference, and the live feed of its
// bookings; each reservation opens on its own page (reservation.tsx).

import './desk.css';

import { useCallback, useEffect, useState } from 'preact/hooks';

import { api } from '../api';
import { date } from '../format';
import { problemText } from '../finance/load';
import { deskDay, hotelToday, reservations, type Day } from './day';
import { useBookingFeed, type FeedState } from './feed';
import { ReservationList } from './list';
import type { Hotel, Hotels, Reservation } from './types';
import { calendarDay, stay } from './when';

export { DeskReservation } from './reservation';

const hotelKey = 'innkeeper.desk.hotel';

export function DeskView() {
  const [hotels, setHotels] = useState<Hotel[] | null>(null);
  const [slug, setSlug] = useState(() => sessionStorage.getItem(hotelKey) ?? '');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<Hotels>('/v1/hotels').then(
      (h) => {
        setHotels(h.hotels);
        if (!h.hotels.some((x) => x.slug === slug) && h.hotels.length > 0) setSlug(h.hotels[0].slug);
      },
      (e) => setError(problemText(e)),
    );
    // Once: the hotels do not change while the desk is open.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const choose = (s: string) => {
    sessionStorage.setItem(hotelKey, s);
    setSlug(s);
  };
  const hotel = hotels?.find((h) => h.slug === slug);
  return (
    <div class="desk">
      <h1>Front desk</h1>
      {error && (
        <p role="alert" class="problem">
          {error}
        </p>
      )}
      <p class="control">
        <label for="desk-hotel">Hotel</label>{' '}
        <select id="desk-hotel" value={slug} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
          {hotels?.map((h) => (
            <option value={h.slug}>
              {h.name} ({h.city})
            </option>
          ))}
        </select>
      </p>
      {hotel && <HotelDay key={hotel.slug} hotel={hotel} />}
    </div>
  );
}

function HotelDay({ hotel }: { hotel: Hotel }) {
  const [day, setDay] = useState<Day | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    deskDay(hotel.slug, hotelToday(hotel.timezone)).then(
      (d) => {
        setDay(d);
        setError(null);
      },
      (e) => setError(problemText(e)),
    );
  }, [hotel.slug, hotel.timezone]);
  useEffect(reload, [reload]);
  // A booking or a change for today's lists refreshes them.
  // Every (re)subscription reloads them too: what changed while the
  // feed was not connected is not pushed again.
  const feed = useBookingFeed(hotel.slug, {
    onEvent: (e) => {
      const today = hotelToday(hotel.timezone);
      if (e.check_in <= today && e.check_out >= today) reload();
    },
    onSubscribed: reload,
  });
  return (
    <>
      {error && (
        <p role="alert" class="problem">
          {error}
        </p>
      )}
      <section aria-labelledby="today-title">
        <h2 id="today-title">
          Today at {hotel.name}
          {day && <span class="subtle"> · {calendarDay(day.today)}</span>}
        </h2>
        <p>
          <button type="button" onClick={reload}>
            Refresh
          </button>
        </p>
        {!day && !error && <p class="loading">Loading…</p>}
        {day && (
          <div class="desk-lists">
            <section aria-labelledby="arrivals-title">
              <h3 id="arrivals-title">Arrivals ({day.arrivals.length})</h3>
              <ReservationList id="arrivals" caption="Arriving today" items={day.arrivals} empty="No arrivals today." />
            </section>
            <section aria-labelledby="departures-title">
              <h3 id="departures-title">Departures ({day.departures.length})</h3>
              <ReservationList id="departures" caption="Leaving today" items={day.departures} empty="No departures today." />
            </section>
            <section aria-labelledby="inhouse-title">
              <h3 id="inhouse-title">In house ({day.inHouse.length})</h3>
              <ReservationList id="in-house" caption="Checked in" items={day.inHouse} empty="Nobody is checked in." />
            </section>
          </div>
        )}
      </section>
      <Search hotel={hotel} />
      <Feed state={feed.state} events={feed.events} />
    </>
  );
}

function Search({ hotel }: { hotel: Hotel }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Reservation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    const text = q.trim();
    if (!text) return;
    reservations(hotel.slug, { q: text }).then(
      (rs) => {
        setFound(rs);
        setError(null);
      },
      (err) => {
        setFound(null);
        setError(problemText(err));
      },
    );
  };
  return (
    <section aria-labelledby="search-title">
      <h2 id="search-title">Find a reservation</h2>
      <form role="search" class="control" onSubmit={submit}>
        <label for="desk-search">Guest name, email or reference</label>{' '}
        <input id="desk-search" type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />{' '}
        <button type="submit">Search</button>
      </form>
      {error && (
        <p role="alert" class="problem">
          {error}
        </p>
      )}
      {found && (
        <ReservationList id="search" caption={`Reservations matching “${q.trim()}”`} items={found} empty="No reservation matches." />
      )}
    </section>
  );
}

const feedLabel: Record<FeedState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Connection lost; reconnecting…',
  offline: 'Not connected',
};

function Feed({ state, events }: { state: FeedState; events: ReturnType<typeof useBookingFeed>['events'] }) {
  return (
    <section aria-labelledby="feed-title" class="feed">
      <h2 id="feed-title">Live bookings</h2>
      <p class={`feed-state feed-${state}`} data-feed-state={state}>
        {feedLabel[state]}
      </p>
      {events.length === 0 && <p class="empty">New bookings and changes appear here as they happen.</p>}
      <ul aria-live="polite" data-feed="">
          {events.map((e) => (
            <li data-reference={e.reference} data-type={e.type}>
              <time dateTime={e.received.toISOString()}>{date(e.received.toISOString())}</time>{' '}
              {e.type === 'booking.created' ? 'New booking' : `${e.event ?? 'Changed'}${e.status ? `: ${e.status}` : ''}`}{' '}
              <a href={`#/desk/reservations/${encodeURIComponent(e.reference)}`}>{e.reference}</a> · {e.room_type} × {e.rooms} ·{' '}
              {stay({ check_in: e.check_in, check_out: e.check_out, nights: nightsBetween(e.check_in, e.check_out) })}
            </li>
        ))}
      </ul>
    </section>
  );
}

function nightsBetween(a: string, b: string): number {
  return Math.round((Date.parse(b + 'T00:00:00Z') - Date.parse(a + 'T00:00:00Z')) / 86_400_000);
}
