// useBookingFeed follows a hotel's bookings over the WebSocket API: a
// ticket bought with the signed-in key (the key never goes in a URL),
// a connection to the configured ws_url with it, and a subscription to
// the hotel's bookings topic, kept by useLive (../live.ts): a dropped
// connection is opened again with a new ticket (a ticket opens one
// connection), and every acknowledged subscription calls onSubscribed.

import { useRef, useState } from 'preact/hooks';

import { api } from '../api';
import type { Answer } from '../api/schema';
import { config } from '../config';
import { useLive, type LiveState } from '../live';

/** FeedEvent is a push about one of the hotel's bookings. */
export interface FeedEvent {
  type: string; // booking.created or reservation.changed
  hotel: string;
  reference: string;
  event?: string;
  status?: string;
  room_type: string;
  check_in: string;
  check_out: string;
  rooms: number;
  /** received is when the page got it. */
  received: Date;
}

export type FeedState = LiveState;

/** MaxEvents bounds the events kept on the page. */
const MaxEvents = 50;

/** ticketURL is ws_url with a new ticket, "" when no WebSocket API is configured. */
async function ticketURL(): Promise<string> {
  const base = config().ws_url;
  if (!base) return '';
  const t = await api<Answer<'createWSTicket', 201>>('/v1/ws-tickets', { method: 'POST', idempotent: false });
  return base + (base.includes('?') ? '&' : '?') + 'ticket=' + encodeURIComponent(t.ticket);
}

export interface FeedHandlers {
  /** onEvent gets each push about the hotel's bookings. */
  onEvent?: (e: FeedEvent) => void;
  /** onSubscribed runs at every (re)subscription: reload what the feed keeps current. */
  onSubscribed?: () => void;
}

export function useBookingFeed(hotel: string, h: FeedHandlers = {}) {
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const handlers = useRef(h);
  handlers.current = h;
  const state = useLive(
    {
      url: ticketURL,
      subscribe: [{ action: 'subscribe', topic: 'bookings', hotel }],
      onSubscribed: () => handlers.current.onSubscribed?.(),
      onMessage: (f) => {
        if ((f.type === 'booking.created' || f.type === 'reservation.changed') && f.hotel === hotel) {
          const e = { ...(f as unknown as FeedEvent), received: new Date() };
          setEvents((es) => [e, ...es].slice(0, MaxEvents));
          handlers.current.onEvent?.(e);
        }
      },
    },
    [hotel],
  );
  return { events, state };
}
