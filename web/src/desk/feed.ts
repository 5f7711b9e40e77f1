// useBookingFeed follows a hotel's bookings over the WebSocket API: a
// ticket bought with the signed-in key (the key never goes in a URL),
// a connection to the configured ws_url with it, and a subscription to
// the hotel's bookings topic. A dropped connection is opened again with
// a new ticket (a ticket opens one connection), waiting longer each time.

import { useEffect, useRef, useState } from 'preact/hooks';

import { api } from '../api';
import { config } from '../config';

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

export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'failed';

/** MaxEvents bounds the events kept on the page. */
const MaxEvents = 50;


export function useBookingFeed(hotel: string, onEvent?: (e: FeedEvent) => void) {
  const [events, setEvents] = useState<FeedEvent[]>([]);
  const [state, setState] = useState<FeedState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (!hotel) return;
    let stopped = false;
    let ws: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = 1000;
    setEvents([]);
    const again = () => {
      if (stopped) return;
      setState('reconnecting');
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, 30_000);
    };
    const base = config().ws_url;
    if (!base) {
      // No WebSocket API configured: the lists still work, without live updates.
      setState('failed');
      return;
    }
    const open = async () => {
      try {
        const t = await api<{ ticket: string }>('/v1/ws-tickets', { method: 'POST', idempotent: false });
        if (stopped) return;
        const url = base + (base.includes('?') ? '&' : '?') + 'ticket=' + encodeURIComponent(t.ticket);
        ws = new WebSocket(url);
      } catch {
        again();
        return;
      }
      ws.onopen = () => ws?.send(JSON.stringify({ action: 'subscribe', topic: 'bookings', hotel }));
      ws.onmessage = (m) => {
        let f: Record<string, unknown>;
        try {
          f = JSON.parse(String(m.data));
        } catch {
          return;
        }
        if (f.type === 'subscribed') {
          delay = 1000;
          setState('live');
          return;
        }
        if ((f.type === 'booking.created' || f.type === 'reservation.changed') && f.hotel === hotel) {
          const e = { ...(f as unknown as FeedEvent), received: new Date() };
          setEvents((es) => [e, ...es].slice(0, MaxEvents));
          handler.current?.(e);
        }
      };
      ws.onclose = () => {
        ws = null;
        again();
      };
    };
    setState('connecting');
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      ws?.close();
    };
  }, [hotel]);
  return { events, state };
}
