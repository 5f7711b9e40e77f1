// BookingPage is a hotel's public booking page.
export function BookingPage({ slug }: { slug: string }) {
  return (
    <section>
      <h1>Book {slug}</h1>
    </section>
  );
}
