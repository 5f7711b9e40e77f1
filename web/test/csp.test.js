// Chart tooltips are drawn on the canvas: HTML tooltips carry inline
// style attributes, which a style-src 'self' policy refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { richTooltips } from '../src/finance/csp.ts';

test('every tooltip of an option is rich text', () => {
  const o = richTooltips({
    tooltip: { trigger: 'axis' },
    series: [{ type: 'bar', tooltip: { show: false } }, { type: 'line' }],
  });
  assert.deepEqual(o.tooltip, { trigger: 'axis', renderMode: 'richText' });
  assert.deepEqual(o.series[0].tooltip, { show: false, renderMode: 'richText' });
  assert.equal('tooltip' in o.series[1], false);
});

test('an option without a tooltip gets none', () => {
  assert.equal('tooltip' in richTooltips({ series: [] }), false);
});
