// Money stays exact: minor units become a decimal string digit by digit
// and Intl formats that string, so no amount goes through a float.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { display } from '../src/finance/table.ts';
import { decimal, minorDigits, money } from '../src/format.ts';

test('minorDigits knows currencies with 0, 2 and 3 minor digits', () => {
  assert.equal(minorDigits('JPY'), 0);
  assert.equal(minorDigits('EUR'), 2);
  assert.equal(minorDigits('BHD'), 3);
});

test('decimal places the point by the currency, sign kept', () => {
  assert.equal(decimal('1234', 2), '12.34');
  assert.equal(decimal(-1234, 2), '-12.34');
  assert.equal(decimal('5', 2), '0.05');
  assert.equal(decimal('-5', 3), '-0.005');
  assert.equal(decimal('1234', 0), '1234');
  assert.equal(decimal(0n, 2), '0.00');
  assert.equal(decimal('9223372036854775807', 2), '92233720368547758.07');
  assert.equal(decimal('12.5', 2), null);
  assert.equal(decimal(1.5, 2), null);
});

test('money formats int64 amounts exactly', () => {
  // As a float, 9223372036854775807 / 100 reads 92,233,720,368,547,760.00.
  assert.equal(money('9223372036854775807', 'EUR'), '€92,233,720,368,547,758.07');
  assert.equal(money(-1234, 'EUR'), '-€12.34');
  assert.equal(money(1234, 'JPY'), 'JP¥1,234');
  assert.equal(money('1234', 'BHD'), 'BHD\u00a01.234');
});

test('a money cell of a table is formatted from its string, never a Number', () => {
  const t = {
    columns: [
      { key: 'currency', label: 'Currency', kind: 'text' },
      { key: 'revenue_cents', label: 'Revenue', kind: 'cents', currency: 'currency' },
    ],
    rows: [],
    totals: [],
  };
  assert.equal(display(t, ['EUR', '123456789012345678'], 1), '€1,234,567,890,123,456.78');
  assert.equal(display(t, ['JPY', '-1500'], 1), '-JP¥1,500');
});
