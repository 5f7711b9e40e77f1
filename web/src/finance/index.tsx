// FinanceView is the finance view: costs, unit economics, reconciliation
// and revenue. (A placeholder until the finance charts land.)
export function FinanceView() {
  return (
    <section aria-labelledby="finance-title">
      <h1 id="finance-title">Finance</h1>
      <p>The finance charts come here.</p>
    </section>
  );
}
