// chart.js - loads ECharts once (served by fangkong at /vendor/echarts.min.js from
// web/node_modules), draws the dashboard's bar chart, and draws any other option
// (contact timeline, chains graph) with drawChart. Without ECharts the caller keeps
// its plain table.
import { lang } from './i18n.js';

let loading = null;

export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/vendor/echarts.min.js';
      s.onload = () => (window.echarts ? resolve(window.echarts) : reject(new Error('echarts missing')));
      s.onerror = () => { loading = null; reject(new Error('echarts not served')); };
      document.head.append(s);
    });
  }
  return loading;
}

// Bars of [label, value] pairs into el; returns a dispose function.
export async function barChart(el, pairs, { color = '#1f5fa8' } = {}) {
  const echarts = await loadECharts();
  const chart = echarts.init(el, null, { renderer: 'svg' });
  chart.setOption({
    animation: false,
    grid: { left: 48, right: 16, top: 16, bottom: 32 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: pairs.map((p) => p[0]), axisTick: { alignWithLabel: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: pairs.map((p) => p[1]), itemStyle: { color }, barMaxWidth: 48,
      label: { show: true, position: 'top' } }],
  });
  const onResize = () => chart.resize();
  window.addEventListener('resize', onResize);
  return () => { window.removeEventListener('resize', onResize); chart.dispose(); };
}

// Any ECharts option into el (SVG, so tests and screen readers see the marks);
// onClick(params) gets chart clicks. Returns a dispose function.
export async function drawChart(el, option, { onClick } = {}) {
  const echarts = await loadECharts();
  const chart = echarts.init(el, null, { renderer: 'svg', locale: lang() === 'en' ? 'EN' : 'ZH' });
  chart.setOption({ animation: false, ...option });
  if (onClick) chart.on('click', onClick);
  const onResize = () => chart.resize();
  window.addEventListener('resize', onResize);
  return () => { window.removeEventListener('resize', onResize); chart.dispose(); };
}
