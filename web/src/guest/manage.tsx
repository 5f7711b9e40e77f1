// ManagePage is a guest's confirmation and manage page.
export function ManagePage({ reference }: { reference: string }) {
  return (
    <section>
      <h1>Reservation {reference}</h1>
    </section>
  );
}
