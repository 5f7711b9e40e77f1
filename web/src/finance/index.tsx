// The finance view: what the infrastructure costs, per day, per booking
// and against the bill, beside what the hotels earn; every figure is the
// API's, in a chart, a data table and a CSV file.

import { useState } from 'preact/hooks';

import './finance.css';

import { CostsByDay } from './costs';
import { addDays, todayUTC } from './exact';
import { Receipt } from './receipt';
import { Reconciliation } from './reconciliation';
import { Revenue } from './revenue';
import { CostPerBooking } from './unit';

/** DefaultDays is the range shown first: the last two weeks, today included. */
const DefaultDays = 14;

export function FinanceView() {
  const today = todayUTC();
  const [range, setRange] = useState({ from: addDays(today, -(DefaultDays - 1)), to: today });
  const [draft, setDraft] = useState(range);
  const [invalid, setInvalid] = useState<string | null>(null);
  const apply = (e: Event) => {
    e.preventDefault();
    if (!draft.from || !draft.to || draft.from > draft.to) {
      setInvalid('The first day must be on or before the last day.');
      return;
    }
    setInvalid(null);
    setRange(draft);
  };
  return (
    <div class="finance">
      <h1>Finance</h1>
      <form class="range" onSubmit={apply} aria-describedby="range-help">
        <p id="range-help">Days are UTC days; both the first and the last day are included.</p>
        <label for="range-from">First day</label>{' '}
        <input
          id="range-from"
          type="date"
          required
          value={draft.from}
          max={today}
          onInput={(e) => { const from = (e.target as HTMLInputElement).value; setDraft((d) => ({ ...d, from })); }}
        />{' '}
        <label for="range-to">Last day</label>{' '}
        <input
          id="range-to"
          type="date"
          required
          value={draft.to}
          onInput={(e) => { const to = (e.target as HTMLInputElement).value; setDraft((d) => ({ ...d, to })); }}
        />{' '}
        <button type="submit">Show</button>
        {invalid && (
          <p role="alert" class="problem">
            {invalid}
          </p>
        )}
      </form>
      <CostsByDay from={range.from} to={range.to} />
      <CostPerBooking from={range.from} to={range.to} />
      <Reconciliation from={range.from} to={range.to} />
      <Revenue from={range.from} to={range.to} />
      <Receipt />
    </div>
  );
}
