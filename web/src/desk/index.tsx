// DeskView is the front desk: arrivals, departures, in-house, search and
// the live feed. (A placeholder until the desk views land.)
export function DeskView() {
  return (
    <section aria-labelledby="desk-title">
      <h1 id="desk-title">Front desk</h1>
      <p>Arrivals, departures and in-house come here.</p>
    </section>
  );
}

// DeskReservation is one reservation at the desk: history, payments, actions.
export function DeskReservation({ reference }: { reference: string }) {
  return (
    <section aria-labelledby="desk-res-title">
      <h1 id="desk-res-title">Reservation {reference}</h1>
    </section>
  );
}
