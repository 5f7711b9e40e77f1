// A reservation's page at the desk: the stay, its nights, payments,
// invoices, emails and history as the desk record gives them, and the
// actions its status allows. Destructive actions ask first; a refused
// action shows the API's problem.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { api, type ApiInit } from '../api';
import { date, money } from '../format';
import { problemText } from '../finance/load';
import { label, type ActionDone, type DeskRecord, type Modified, type Reservation, type Status } from './types';
import { calendarDay, stay } from './when';

type Action = 'check-in' | 'check-out' | 'no-show' | 'cancel' | 'modify';

/** actionsFor are the actions the desk offers in a status (the API decides). */
const actionsFor: Partial<Record<Status, Action[]>> = {
  held: ['cancel'],
  confirmed: ['check-in', 'modify', 'no-show', 'cancel'],
  checked_in: ['check-out', 'modify'],
};

const actionLabel: Record<Action, string> = {
  'check-in': 'Check in',
  'check-out': 'Check out',
  'no-show': 'Mark no-show',
  cancel: 'Cancel reservation',
  modify: 'Modify stay',
};

const paymentMethods = ['card', 'cash', 'bank_transfer', 'voucher', 'other'];


export function DeskReservation({ reference }: { reference: string }) {
  const [rec, setRec] = useState<DeskRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<Action | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const path = `/v1/admin/reservations/${encodeURIComponent(reference)}`;
  const load = useCallback(
    () =>
      api<DeskRecord>(path).then(
        (r) => {
          setRec(r);
          setError(null);
        },
        (e) => setError(problemText(e)),
      ),
    [path],
  );
  useEffect(() => {
    load();
  }, [load]);
  useEffect(() => heading.current?.focus(), [reference]);
  const done = (what: string, r: Reservation) => {
    setOpen(null);
    setNotice(`${what}: ${r.reference} is now ${label(r.status).toLowerCase()}.`);
    load();
  };
  const r = rec?.reservation;
  return (
    <div class="desk-reservation">
      <p>
        <a href="#/desk">← Front desk</a>
      </p>
      <h1 tabIndex={-1} ref={heading}>
        Reservation {reference}
      </h1>
      {error && !open && (
        <p role="alert" class="problem">
          {error}
        </p>
      )}
      <p role="status" class="notice">
        {notice}
      </p>
      {r && rec && (
        <>
          <dl class="summary" data-reservation={r.reference}>
            <div>
              <dt>Status</dt>
              <dd data-status={r.status}>{label(r.status)}</dd>
            </div>
            <div>
              <dt>Guest</dt>
              <dd>
                {r.guest.name} · <a href={`mailto:${r.guest.email}`}>{r.guest.email}</a>
                {r.guest.phone ? ` · ${r.guest.phone}` : ''}
              </dd>
            </div>
            <div>
              <dt>Stay</dt>
              <dd>{stay(r)}</dd>
            </div>
            <div>
              <dt>Room</dt>
              <dd>
                {r.room_type} × {r.rooms}, {r.adults} adults{r.children ? `, ${r.children} children` : ''} · {r.rate_plan}
              </dd>
            </div>
            <div>
              <dt>Total</dt>
              <dd>{money(r.total_cents, r.currency)}</dd>
            </div>
            <div>
              <dt>Paid</dt>
              <dd>{money(rec.paid_cents, r.currency)}</dd>
            </div>
            {r.checked_in_at && (
              <div>
                <dt>Checked in</dt>
                <dd>{date(r.checked_in_at)}</dd>
              </div>
            )}
            {r.checked_out_at && (
              <div>
                <dt>Checked out</dt>
                <dd>{date(r.checked_out_at)}</dd>
              </div>
            )}
          </dl>
          <section aria-labelledby="actions-title">
            <h2 id="actions-title">Actions</h2>
            {(actionsFor[r.status] ?? []).length === 0 && <p>No desk action applies to a reservation that is {label(r.status).toLowerCase()}.</p>}
            <p class="actions">
              {(actionsFor[r.status] ?? []).map((a) => (
                <button
                  type="button"
                  class={a === 'cancel' || a === 'no-show' ? 'danger' : undefined}
                  aria-expanded={open === a}
                  aria-controls="action-panel"
                  onClick={() => {
                    setError(null);
                    setOpen(open === a ? null : a);
                  }}
                >
                  {actionLabel[a]}
                </button>
              ))}
            </p>
            {open && <ActionPanel key={open} action={open} r={r} path={path} onDone={done} onCancel={() => setOpen(null)} />}
          </section>
          <Records rec={rec} />
        </>
      )}
    </div>
  );
}

function ActionPanel(p: { action: Action; r: Reservation; path: string; onDone: (what: string, r: Reservation) => void; onCancel: () => void }) {
  const { action, r } = p;
  const [reason, setReason] = useState('');
  const [waive, setWaive] = useState(false);
  const [method, setMethod] = useState('');
  const [change, setChange] = useState({ check_in: r.check_in, check_out: r.check_out, adults: r.adults, rooms: r.rooms });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const first = useRef<HTMLElement | null>(null);
  useEffect(() => first.current?.focus(), []);
  const destructive = action === 'cancel' || action === 'no-show';
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const body: Record<string, unknown> = {};
      let init: ApiInit;
      if (action === 'modify') {
        const c: Record<string, unknown> = {};
        if (change.check_in !== r.check_in) c.check_in = change.check_in;
        if (change.check_out !== r.check_out) c.check_out = change.check_out;
        if (change.adults !== r.adults) c.adults = change.adults;
        if (change.rooms !== r.rooms) c.rooms = change.rooms;
        if (reason.trim()) c.reason = reason.trim();
        // api sends an Idempotency-Key: a retry of the same change replays
        // its answer, never applies it twice.
        init = { method: 'POST', body: c };
      } else {
        if (reason.trim()) body.reason = reason.trim();
        if (action === 'cancel' && waive) body.waive_fee = true;
        if (action === 'check-out' && method) body.payment_method = method;
        // The other desk actions take no Idempotency-Key: the status table
        // refuses an action applied twice.
        init = { method: 'POST', body, idempotent: false };
      }
      // Every desk action, a modification too, answers {reservation}.
      const out = await api<ActionDone | Modified>(`${p.path}/${action}`, init);
      p.onDone(actionLabel[action], out.reservation);
    } catch (err) {
      setProblem(problemText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form id="action-panel" class={`action-panel${destructive ? ' destructive' : ''}`} onSubmit={submit} aria-labelledby="action-title">
      <h3 id="action-title">{actionLabel[action]}</h3>
      {destructive && (
        <p>
          {action === 'cancel'
            ? `Cancel ${r.reference} for ${r.guest.name}? This cannot be undone.`
            : `Mark ${r.reference} (${r.guest.name}) as a no-show? The no-show fee of the terms is charged.`}
          {action === 'cancel' && r.cancellation_fee_cents != null && r.cancellation_fee_cents > 0 && !waive
            ? ` A cancellation fee of ${money(r.cancellation_fee_cents, r.currency)} applies.`
            : ''}
        </p>
      )}
      {action === 'modify' && (
        <div class="fields">
          <label>
            Arrival <input type="date" required value={change.check_in} ref={(el) => { first.current = el; }} onInput={(e) => setChange({ ...change, check_in: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            Departure <input type="date" required value={change.check_out} onInput={(e) => setChange({ ...change, check_out: (e.target as HTMLInputElement).value })} />
          </label>
          <label>
            Adults <input type="number" min={1} max={20} required value={change.adults} onInput={(e) => setChange({ ...change, adults: Number((e.target as HTMLInputElement).value) })} />
          </label>
          <label>
            Rooms <input type="number" min={1} max={20} required value={change.rooms} onInput={(e) => setChange({ ...change, rooms: Number((e.target as HTMLInputElement).value) })} />
          </label>
        </div>
      )}
      {action === 'check-out' && (
        <p>
          <label for="payment-method">Paid by</label>{' '}
          <select id="payment-method" value={method} ref={(el) => { first.current = el; }} onChange={(e) => setMethod((e.target as HTMLSelectElement).value)}>
            <option value="">Not recorded</option>
            {paymentMethods.map((m) => (
              <option value={m}>{m.replace('_', ' ')}</option>
            ))}
          </select>
        </p>
      )}
      <p>
        <label for="action-reason">Reason{action === 'cancel' ? ' (required)' : ' (optional)'}</label>
        <br />
        <textarea
          id="action-reason"
          rows={2}
          maxLength={500}
          required={action === 'cancel'}
          value={reason}
          ref={(el) => {
            if (action !== 'modify' && action !== 'check-out') first.current = el;
          }}
          onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
        />
      </p>
      {action === 'cancel' && (
        <p>
          <label>
            <input type="checkbox" checked={waive} onChange={(e) => setWaive((e.target as HTMLInputElement).checked)} /> Waive the cancellation fee
          </label>
        </p>
      )}
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
      <p class="actions">
        <button type="submit" class={destructive ? 'danger' : 'primary'} disabled={busy}>
          {destructive ? `Yes, ${actionLabel[action].toLowerCase()}` : actionLabel[action]}
        </button>{' '}
        <button type="button" onClick={p.onCancel} disabled={busy}>
          {destructive ? 'No, keep it' : 'Close'}
        </button>
      </p>
    </form>
  );
}

function Records({ rec }: { rec: DeskRecord }) {
  const cur = rec.reservation.currency;
  return (
    <>
      <section aria-labelledby="nights-title">
        <h2 id="nights-title">Nights</h2>
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Nights">
          <table>
            <thead>
              <tr>
                <th scope="col">Night</th>
                <th scope="col" class="num">Rate</th>
                <th scope="col" class="num">Amount</th>
              </tr>
            </thead>
            <tbody>
              {rec.nights.map((n) => (
                <tr>
                  <th scope="row">
                    {calendarDay(n.date)}
                    {n.released ? ' (released)' : ''}
                  </th>
                  <td class="num">{money(n.rate_cents, cur)}</td>
                  <td class="num">{money(n.amount_cents, cur)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Rooms</th>
                <td />
                <td class="num">{money(rec.nights_total_cents, cur)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      </section>
      <section aria-labelledby="payments-title">
        <h2 id="payments-title">Payments</h2>
        <p class="subtle">{rec.payments_note}</p>
        {rec.payments.length === 0 ? (
          <p class="empty">No payment through the provider.</p>
        ) : (
          <div class="table-scroll" tabIndex={0} role="region" aria-label="Payments">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">Amount</th>
                </tr>
              </thead>
              <tbody>
                {rec.payments.map((p) => (
                  <tr>
                    <th scope="row">{date(p.created_at)}</th>
                    <td>{p.kind}</td>
                    <td>
                      {p.status}
                      {p.failure_message ? ` (${p.failure_message})` : ''}
                    </td>
                    <td class="num">{money(p.amount_cents, p.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {rec.invoices && rec.invoices.length > 0 && (
        <section aria-labelledby="invoices-title">
          <h2 id="invoices-title">Invoices</h2>
          <ul>
            {rec.invoices.map((i) => (
              <li>
                {i.number} · {i.kind} · {date(i.issued_at)} · {money(i.total_cents, i.currency)}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <div class="table-scroll" tabIndex={0} role="region" aria-label="History">
          <table data-history="">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Who</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {rec.history.map((h) => (
                <tr>
                  <th scope="row">{date(h.at)}</th>
                  <td>{h.action}</td>
                  <td>
                    {h.actor}
                    {h.actor_role ? ` (${h.actor_role})` : ''}
                  </td>
                  <td>{h.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {rec.emails.length > 0 && (
          <p>
            Emails sent: {rec.emails.map((e) => `${e.kind} (${date(e.sent_at)})`).join(', ')}
          </p>
        )}
      </section>
    </>
  );
}
