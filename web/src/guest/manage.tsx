// ManagePage is a guest's confirmation and manage page: the reservation
// read with its access token (kept in this tab since booking) or with a
// signed manage link (?expires=…&signature=…), its cancellation quote,
// and cancelling under its terms.
import { useEffect, useRef, useState } from "preact/hooks";

import { api, ProblemError, query } from "../api";
import { date, dateTime, money } from "../format";
import { hashQuery } from "../router";
import { problemText } from "./book";
import { type CancellationQuote as Quote, guestToken, type Reservation, type ReservationAnswer } from "./types";

const statusText: Record<Reservation["status"], string> = {
  confirmed: "Confirmed",
  held: "Held: awaiting payment",
  cancelled: "Cancelled",
  checked_in: "Checked in",
  checked_out: "Checked out",
  no_show: "No-show",
  expired: "Expired",
};

export function ManagePage({ reference }: { reference: string }) {
  const token = guestToken.get(reference);
  const q = hashQuery();
  const link = q.get("signature") ? { expires: q.get("expires") ?? "", signature: q.get("signature") ?? "" } : null;
  const [res, setRes] = useState<Reservation | null>(null);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [error, setError] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);

  const load = async () => {
    try {
      if (link) {
        const r = await api<ReservationAnswer>(`/v1/reservations/${reference}/manage${query(link)}`, { key: "" });
        setRes(r.reservation);
        return;
      }
      const r = await api<ReservationAnswer>(`/v1/reservations/${reference}`, { key: token });
      setRes(r.reservation);
      if (r.reservation.status === "confirmed" || r.reservation.status === "held") {
        setQuote(await api<Quote>(`/v1/reservations/${reference}/cancellation-quote`, { key: token }));
      } else setQuote(null);
    } catch (e) {
      setError(e instanceof ProblemError ? problemText(e) : String((e as Error).message));
    }
  };
  useEffect(() => {
    if (token || link) void load();
  }, [reference]);

  const cancel = async () => {
    setBusy(true);
    setError("");
    try {
      if (link) {
        await api(`/v1/reservations/${reference}/manage/cancel${query(link)}`, { method: "POST", key: "" });
      } else {
        await api(`/v1/reservations/${reference}/cancel`, { method: "POST", key: token });
      }
      setConfirming(false);
      setDone("Your reservation is cancelled. A confirmation is on its way by email.");
      await load();
      heading.current?.focus();
    } catch (e) {
      setError(e instanceof ProblemError ? problemText(e) : String((e as Error).message));
    } finally {
      setBusy(false);
    }
  };

  if (!token && !link) return <Lookup reference={reference} />;
  return (
    <section aria-labelledby="manage-title" class="manage">
      <h1 id="manage-title" ref={heading} tabIndex={-1}>
        {res?.status === "confirmed" ? "Booking confirmed" : "Your reservation"}
      </h1>
      {done && (
        <p class="notice ok" role="status">
          {done}
        </p>
      )}
      {error && (
        <p class="notice bad" role="alert">
          {error}
        </p>
      )}
      {res && (
        <div class="panel">
          <dl class="facts">
            <dt>Reference</dt>
            <dd>
              <strong data-reference>{res.reference}</strong>
            </dd>
            <dt>Status</dt>
            <dd data-status={res.status}>{statusText[res.status] ?? res.status}</dd>
            <dt>Guest</dt>
            <dd>
              {res.guest.name} ({res.guest.email})
            </dd>
            <dt>Stay</dt>
            <dd>
              {date(res.check_in)} – {date(res.check_out)}, {res.nights} night{res.nights === 1 ? "" : "s"}; {res.adults} adult
              {res.adults === 1 ? "" : "s"}
              {res.children ? `, ${res.children} child${res.children === 1 ? "" : "ren"}` : ""}
            </dd>
            <dt>Room</dt>
            <dd>
              {res.room_type} · {res.rate_plan}
            </dd>
            <dt>Price</dt>
            <dd>
              {money(res.total_cents, res.currency)}
              {res.price?.pay_at_hotel_cents ? ` + ${money(res.price.pay_at_hotel_cents, res.currency)} paid at the hotel` : ""}
            </dd>
            <dt>Payment</dt>
            <dd>
              {res.payment.policy}: {money(res.payment.paid_cents ?? 0, res.currency)} paid
              {res.payment.due_later_cents ? `, ${money(res.payment.due_later_cents, res.currency)} later` : ""}
              {res.payment.card_saved ? "; card saved for the guarantee" : ""}
            </dd>
            <dt>Cancellation</dt>
            <dd>
              {res.refundable ? (res.free_cancellation_until ? `Free until ${dateTime(res.free_cancellation_until)}` : "Refundable") : "Non-refundable"}
            </dd>
          </dl>
        </div>
      )}
      {res && quote && (res.status === "confirmed" || res.status === "held") && (
        <div class="panel" aria-labelledby="cancel-title">
          <h2 id="cancel-title">Cancel</h2>
          <p data-quote>
            Cancelling now costs {money(quote.cancellation_fee_cents, quote.currency)}
            {quote.payment.refund_cents !== undefined ? ` and gives back ${money(quote.payment.refund_cents, quote.currency)}` : ""}.
          </p>
          {!confirming ? (
            <button type="button" class="secondary" onClick={() => setConfirming(true)}>
              Cancel this reservation…
            </button>
          ) : (
            <div class="row" role="group" aria-label="Confirm the cancellation">
              <button type="button" onClick={cancel} disabled={busy}>
                {busy ? "Cancelling…" : "Yes, cancel it"}
              </button>
              <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </div>
          )}
        </div>
      )}
      {res && link && (res.status === "confirmed" || res.status === "held") && !quote && (
        <div class="panel">
          <h2>Cancel</h2>
          <button type="button" class="secondary" onClick={cancel} disabled={busy}>
            Cancel this reservation under its terms
          </button>
        </div>
      )}
    </section>
  );
}

// Lookup asks for the manage link by email when this tab has no token
// for the reservation (always the same answer, whether or not it exists).
function Lookup({ reference }: { reference: string }) {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [error, setError] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      await api("/v1/reservations/lookup", { method: "POST", key: "", body: { reference, email } });
      setSent(true);
    } catch (err) {
      setError(err instanceof ProblemError ? problemText(err) : String((err as Error).message));
    }
  };
  return (
    <section aria-labelledby="lookup-title">
      <h1 id="lookup-title">Manage reservation {reference}</h1>
      {sent ? (
        <p class="notice ok" role="status">
          If {reference} is booked under that email, a link to manage it is on its way.
        </p>
      ) : (
        <form class="signin" onSubmit={submit}>
          <label for="lookup-email">The email you booked with</label>
          <input id="lookup-email" type="email" required autocomplete="email" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
          <button type="submit">Email me a link</button>
          {error && (
            <p class="notice bad" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
