// ReservationList is a table of reservations, each linking to its page.

import { money } from '../format';
import { label, type Reservation } from './types';
import { stay } from './when';

export function ReservationList({ id, caption, items, empty }: { id: string; caption: string; items: Reservation[]; empty: string }) {
  if (items.length === 0) {
    return (
      <p class="empty" data-list={id}>
        {empty}
      </p>
    );
  }
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table data-list={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Reference</th>
            <th scope="col">Guest</th>
            <th scope="col">Stay</th>
            <th scope="col">Room</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr data-reference={r.reference} data-status={r.status}>
              <th scope="row">
                <a href={`#/desk/reservations/${encodeURIComponent(r.reference)}`}>{r.reference}</a>
              </th>
              <td>{r.guest.name}</td>
              <td>{stay(r)}</td>
              <td>
                {r.room_type} × {r.rooms}
              </td>
              <td>{label(r.status)}</td>
              <td class="num">{money(r.total_cents, r.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
