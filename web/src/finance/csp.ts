// The console's Content-Security-Policy allows style-src 'self' only: no
// inline style attributes. ECharts builds its HTML tooltips with them,
// so every tooltip of a chart is drawn on the canvas instead.

/** richTooltips gives option with each tooltip (the chart's and its series') drawn as rich text. */
export function richTooltips<O extends Record<string, unknown>>(option: O): O {
  const rich = (t: unknown): unknown =>
    Array.isArray(t)
      ? t.map(rich)
      : t && typeof t === 'object'
        ? { ...(t as Record<string, unknown>), renderMode: 'richText' }
        : t;
  const out: Record<string, unknown> = { ...option };
  if ('tooltip' in out) out.tooltip = rich(out.tooltip);
  if (Array.isArray(out.series)) {
    out.series = out.series.map((s) =>
      s && typeof s === 'object' && 'tooltip' in s ? { ...s, tooltip: rich((s as Record<string, unknown>).tooltip) } : s,
    );
  }
  return out as O;
}
