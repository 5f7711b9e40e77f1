// Chart draws an ECharts option on a canvas. Only the parts the finance
// view uses are imported from echarts/core, to keep the bundle small.

import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';

import { richTooltips } from './csp';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** Option is an ECharts option made of the imported parts. */
export type Option = echarts.EChartsCoreOption;

/**
 * Chart shows option as an image described by label; the data table
 * beside it is its accessible alternative.
 */
export function Chart({ option, label }: { option: Option; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    // Tooltips as rich text: HTML ones carry inline styles, which the CSP refuses.
    chart.current?.setOption(richTooltips({ animation: false, ...option }), true);
  }, [option]);
  return <div ref={el} class="chart" role="img" aria-label={label} style={{ width: '100%', height: '320px' }} />;
}
