// Daily cost reports: read at most Parallel at a time, kept per
// (day, group) for the page session, today's for a while only.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dailyCosts, limiter, Parallel, TodayTTL } from '../src/finance/daily.ts';

const tick = () => new Promise((r) => setTimeout(r, 0));

test('limiter runs at most n at once and all of them', async () => {
  const run = limiter(4);
  let running = 0;
  let most = 0;
  const release = [];
  const all = Array.from({ length: 10 }, (_, i) =>
    run(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => release.push(r));
      running--;
      return i;
    }),
  );
  let released = 0;
  while (released < 10) {
    await tick();
    assert.ok(running <= 4, `${running} running`);
    const now = release.splice(0);
    released += now.length;
    now.forEach((r) => r());
  }
  assert.deepEqual(await Promise.all(all), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(most, 4);
});

test('a (day, group) report is read once; another group or a failure reads again', async () => {
  const reads = [];
  let fail = false;
  const costs = dailyCosts(
    async (d, g) => {
      reads.push(`${d} ${g}`);
      if (fail) throw new Error('down');
      return { rows: [], totals: { cost: `${d} ${g}` } };
    },
    () => 0,
    () => '2027-02-01',
  );
  const days = Array.from({ length: 31 }, (_, i) => `2027-01-${String(i + 1).padStart(2, '0')}`);
  await Promise.all(days.map((d) => costs(d, 'function')));
  assert.equal(reads.length, 31);
  await Promise.all(days.map((d) => costs(d, 'route')));
  assert.equal(reads.length, 62);
  // Back to the first stacking: nothing read.
  const again = await Promise.all(days.map((d) => costs(d, 'function')));
  assert.equal(reads.length, 62);
  assert.equal(again[4].totals.cost, '2027-01-05 function');

  fail = true;
  await assert.rejects(costs('2026-12-31', 'function'));
  fail = false;
  assert.equal((await costs('2026-12-31', 'function')).totals.cost, '2026-12-31 function');
  assert.equal(reads.length, 64);
  assert.ok(Parallel <= 4);
});

test("today's report is read again once it is old", async () => {
  let now = 0;
  let reads = 0;
  const costs = dailyCosts(
    async () => ({ rows: [], totals: { cost: String(++reads) } }),
    () => now,
    () => '2027-02-01',
  );
  await costs('2027-02-01', 'route');
  await costs('2027-02-01', 'route');
  assert.equal(reads, 1);
  now = TodayTTL + 1;
  await costs('2027-02-01', 'route');
  assert.equal(reads, 2);
});
