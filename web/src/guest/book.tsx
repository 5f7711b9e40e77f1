// BookingPage is a hotel's public booking page: dates and guests, the
// offers with their taxes and terms, units left kept live over the
// WebSocket API, and booking with one of the devstack's test cards.
import { useEffect, useRef, useState } from "preact/hooks";

import { api, ProblemError, query } from "../api";
import { date, dateTime, money, today } from "../format";
import { useLive } from "../live";
import { hashQuery, navigate } from "../router";
import { type Availability, guestToken, type Hotel, type HotelAnswer, type Offer, type Reservation, type ReservationAnswer } from "./types";

// testCards are the payment emulator's PaymentMethods (card numbers never
// reach the API: in production Stripe.js turns a card into a pm_…).
export const testCards = [
  { id: "pm_card_visa", label: "Visa ending 4242 (succeeds)" },
  { id: "pm_card_chargeDeclined", label: "Card declined" },
  { id: "pm_card_authenticationRequired", label: "3-D Secure required" },
];

const policyText: Record<string, string> = {
  guarantee: "Card guarantee: nothing charged now",
  deposit: "Deposit charged now",
  prepay: "Pay the whole stay now",
};

interface Search {
  check_in: string;
  check_out: string;
  adults: number;
  children: number;
}

function initialSearch(): Search {
  const q = hashQuery();
  return {
    check_in: q.get("check_in") || today(14),
    check_out: q.get("check_out") || today(16),
    adults: Number(q.get("adults") || 2),
    children: Number(q.get("children") || 0),
  };
}

export function BookingPage({ slug }: { slug: string }) {
  const [hotel, setHotel] = useState<Hotel | null>(null);
  const [form, setForm] = useState<Search>(initialSearch);
  const [search, setSearch] = useState<Search>(form);
  const [avail, setAvail] = useState<Availability | null>(null);
  const [error, setError] = useState("");
  const [chosen, setChosen] = useState<Offer | null>(null);
  const [updated, setUpdated] = useState("");
  const seq = useRef(0);

  useEffect(() => {
    api<HotelAnswer>(`/v1/hotels/${encodeURIComponent(slug)}`, { key: "" })
      .then((r) => setHotel(r.hotel))
      .catch((e) => setError(e instanceof ProblemError && e.status === 404 ? "There is no such hotel." : String(e.message)));
  }, [slug]);

  const load = async (s: Search, live = false) => {
    const n = ++seq.current;
    try {
      const a = await api<Availability>(
        `/v1/hotels/${encodeURIComponent(slug)}/availability${query({ ...s, rooms: 1 })}`,
        { key: "" },
      );
      if (n !== seq.current) return;
      setAvail(a);
      setError("");
      if (live) setUpdated(new Date().toISOString());
      setChosen((c) => (c ? (a.offers.find((o) => o.rate_plan === c.rate_plan) ?? null) : null));
    } catch (e) {
      if (n !== seq.current) return;
      setAvail(null);
      setError(e instanceof ProblemError ? problemText(e) : String((e as Error).message));
    }
  };
  useEffect(() => void load(search), [slug, search]);

  // Units left change while the page is open: any change of this
  // hotel's availability reloads the offers for the stay shown, and so
  // does every (re)subscription, for the changes made while the page
  // was not subscribed. The stay shown is read when a push arrives, so
  // a new search keeps the connection.
  const liveState = useLive(
    {
      subscribe: [{ action: "subscribe", topic: "availability", hotel: slug }],
      onSubscribed: () => void load(search),
      onMessage: (m) => {
        if (m.type === "availability.changed" && m.hotel === slug) void load(search, true);
      },
    },
    [slug],
  );

  const submit = (e: Event) => {
    e.preventDefault();
    setChosen(null);
    setSearch({ ...form });
  };
  const field = (k: keyof Search) => (e: Event) => {
    const v = (e.target as HTMLInputElement).value;
    setForm((f) => ({ ...f, [k]: k === "adults" || k === "children" ? Number(v) : v }));
  };

  return (
    <section aria-labelledby="book-title" class="book">
      <h1 id="book-title">{hotel ? `Book ${hotel.name}` : "Book a room"}</h1>
      {hotel?.city && <p class="hint">{hotel.city}</p>}
      <form class="row panel" onSubmit={submit} aria-label="Your stay">
        <div class="field">
          <label for="check-in">Check-in</label>
          <input id="check-in" type="date" required value={form.check_in} min={today()} onInput={field("check_in")} />
        </div>
        <div class="field">
          <label for="check-out">Check-out</label>
          <input id="check-out" type="date" required value={form.check_out} min={form.check_in} onInput={field("check_out")} />
        </div>
        <div class="field">
          <label for="adults">Adults</label>
          <input id="adults" type="number" min={1} max={8} required value={form.adults} onInput={field("adults")} />
        </div>
        <div class="field">
          <label for="children">Children</label>
          <input id="children" type="number" min={0} max={8} value={form.children} onInput={field("children")} />
        </div>
        <button type="submit">Search</button>
      </form>
      <p class="hint live" aria-live="polite" data-live={liveState}>
        {liveState === "live" ? "Live: rooms left update as others book." : liveState === "connecting" ? "Connecting to live updates…" : liveState === "reconnecting" ? "Live updates dropped; reconnecting…" : "Live updates are offline; search again to refresh."}
        {updated && ` Updated ${dateTime(updated)}.`}
      </p>
      {error && (
        <p class="notice bad" role="alert">
          {error}
        </p>
      )}
      {avail && (
        <>
          <h2>
            {avail.offers.length} offer{avail.offers.length === 1 ? "" : "s"} for {date(avail.check_in)} – {date(avail.check_out)} ({avail.nights} night
            {avail.nights === 1 ? "" : "s"})
          </h2>
          <ul class="offers">
            {avail.offers.map((o) => (
              <OfferCard key={o.rate_plan} offer={o} chosen={chosen?.rate_plan === o.rate_plan} onChoose={() => setChosen(o)} />
            ))}
          </ul>
          {avail.offers.length === 0 && <p>Nothing is available for these dates. Try others.</p>}
        </>
      )}
      {chosen && avail && <BookForm slug={slug} search={search} offer={chosen} />}
    </section>
  );
}

function OfferCard({ offer: o, chosen, onChoose }: { offer: Offer; chosen: boolean; onChoose: () => void }) {
  const id = `offer-${o.rate_plan}`;
  return (
    <li class="offer" data-offer={o.rate_plan} aria-current={chosen ? "true" : undefined} aria-labelledby={id}>
      <h3 id={id}>
        {o.room_type_name} · {o.name}
      </h3>
      <p class="price">{money(o.price.grand_total_cents || o.total_cents, o.currency)}</p>
      <dl class="facts">
        <dt>Room</dt>
        <dd>{money(o.price.room_cents, o.currency)}</dd>
        {o.price.lines.map((l) => (
          <>
            <dt>{l.name}</dt>
            <dd>
              {money(l.amount_cents, o.currency)}
              {l.included ? " (included)" : l.pay_at_hotel ? " (paid at the hotel)" : ""}
            </dd>
          </>
        ))}
        <dt>Payment</dt>
        <dd>
          {policyText[o.payment.policy] ?? o.payment.policy}
          {o.payment.policy === "deposit" && o.payment.deposit_percent ? ` (${o.payment.deposit_percent} %)` : ""}: {money(o.payment.due_now_cents, o.currency)} now,{" "}
          {money(o.payment.due_later_cents, o.currency)} later
        </dd>
        <dt>Cancellation</dt>
        <dd>
          {o.refundable
            ? o.free_cancellation_until
              ? `Free until ${dateTime(o.free_cancellation_until)}`
              : "Refundable"
            : "Non-refundable"}
          {o.payment.refund_cents !== undefined && o.payment.due_now_cents > 0
            ? `; ${money(o.payment.refund_cents, o.currency)} back if cancelled now`
            : ""}
        </dd>
      </dl>
      <p class={`units${o.available <= 2 ? " low" : ""}`} data-units={o.available}>
        {o.available === 1 ? "1 room left" : `${o.available} rooms left`}
      </p>
      <button type="button" class={chosen ? "" : "secondary"} onClick={onChoose} aria-pressed={chosen}>
        {chosen ? "Selected" : "Choose"}
        <span class="visually-hidden">
          {" "}
          {o.room_type_name} {o.name}
        </span>
      </button>
    </li>
  );
}

function BookForm({ slug, search, offer }: { slug: string; search: Search; offer: Offer }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [card, setCard] = useState(testCards[0].id);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [waiting, setWaiting] = useState<Reservation | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.scrollIntoView({ block: "nearest" }), [offer.rate_plan]);

  // A 3-D Secure payment holds the booking until the guest authenticates
  // (the devstack's emulator: POST …/_emulator/payment_intents/{id}/authenticate);
  // the page polls until the webhook confirms it.
  useEffect(() => {
    if (!waiting) return;
    const token = guestToken.get(waiting.reference);
    const t = setInterval(async () => {
      try {
        const r = await api<ReservationAnswer>(`/v1/reservations/${waiting.reference}`, { key: token });
        if (r.reservation.status !== "held") {
          clearInterval(t);
          navigate(`/manage/${waiting.reference}`);
        }
      } catch {
        /* keep polling */
      }
    }, 2000);
    return () => clearInterval(t);
  }, [waiting]);

  const book = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      // One room: the API answers a reservation (several rooms answer a booking).
      const r = await api<ReservationAnswer>("/v1/reservations", {
        method: "POST",
        key: "",
        body: {
          hotel: slug,
          room_type: offer.room_type,
          rate_plan: offer.rate_plan,
          check_in: search.check_in,
          check_out: search.check_out,
          adults: search.adults,
          children: search.children,
          rooms: 1,
          guest: { name, email },
          hold: false,
          payment: { payment_method: card },
        },
      });
      guestToken.set(r.reservation.reference, r.access_token ?? "");
      if (r.reservation.status === "held" && r.reservation.payment?.pending) {
        setWaiting(r.reservation);
        return;
      }
      navigate(`/manage/${r.reservation.reference}`);
    } catch (err) {
      setError(err instanceof ProblemError ? problemText(err) : String((err as Error).message));
    } finally {
      setBusy(false);
    }
  };

  if (waiting) {
    return (
      <div class="notice warn" role="status" data-state="awaiting-authentication">
        <h2>Awaiting authentication</h2>
        <p>
          Your bank asks you to confirm this payment (3-D Secure). Reservation <strong>{waiting.reference}</strong> is held
          {waiting.hold_expires_at ? ` until ${dateTime(waiting.hold_expires_at)}` : ""}; this page moves on once the payment is
          confirmed.
        </p>
      </div>
    );
  }
  return (
    <form class="panel bookform" onSubmit={book} aria-labelledby="bookform-title">
      <h2 id="bookform-title" ref={heading}>
        Book {offer.room_type_name} · {offer.name}
      </h2>
      <p>
        {money(offer.price.grand_total_cents || offer.total_cents, offer.currency)} for {date(search.check_in)} – {date(search.check_out)};{" "}
        {money(offer.payment.due_now_cents, offer.currency)} charged now.
      </p>
      <div class="row">
        <div class="field">
          <label for="guest-name">Full name</label>
          <input id="guest-name" autocomplete="name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="guest-email">Email</label>
          <input
            id="guest-email"
            type="email"
            autocomplete="email"
            required
            value={email}
            onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="card">Test card</label>
          <select id="card" value={card} onChange={(e) => setCard((e.target as HTMLSelectElement).value)}>
            {testCards.map((c) => (
              <option value={c.id}>{c.label}</option>
            ))}
          </select>
        </div>
      </div>
      <p class="hint">The devstack's payment emulator takes Stripe's test cards; no card number is entered or sent.</p>
      <button type="submit" disabled={busy}>
        {busy ? "Booking…" : "Book and pay"}
      </button>
      {error && (
        <p class="notice bad" role="alert" data-problem>
          {error}
        </p>
      )}
    </form>
  );
}

// problemText is a problem as a guest reads it: the detail, and each
// field's error.
export function problemText(e: ProblemError): string {
  const fields = Object.entries(e.errors).map(([k, v]) => `${k.replace(/_/g, " ")}: ${v}`);
  const head = e.status === 402 ? `Payment declined. ${e.detail}` : e.detail || e.title;
  return [head, ...fields].join(" ");
}
