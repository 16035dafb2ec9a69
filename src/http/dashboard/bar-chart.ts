import { scaleBand, scaleLinear } from 'd3-scale';
import { html, type SafeHtml } from '../html/html.ts';

export interface BarSeries {
  name: string;
  /** A fill colour with at least 3:1 contrast against white. */
  color: string;
  values: number[];
}

export interface BarChartSpec {
  /** The accessible name of the chart. */
  title: string;
  categories: string[];
  series: BarSeries[];
  /** `stacked` adds the series in one bar per category; `grouped` puts them side by side. */
  mode: 'stacked' | 'grouped';
  unit: string;
}

const width = 520;
const labelWidth = 150;
const rowHeight = 26;
const top = 8;
const axisHeight = 24;
const legendHeight = 22;

/**
 * Renders a horizontal bar chart as inline SVG: one row per category, a value axis with d3's
 * ticks, and a legend. Each bar carries a `<title>` with its value for screen readers and hover.
 */
export function barChart(spec: BarChartSpec): SafeHtml {
  const plotHeight = Math.max(1, spec.categories.length) * rowHeight;
  const height = top + plotHeight + axisHeight + legendHeight;
  const totals = spec.categories.map((_, index) =>
    spec.mode === 'stacked'
      ? spec.series.reduce((sum, series) => sum + (series.values[index] ?? 0), 0)
      : Math.max(0, ...spec.series.map((series) => series.values[index] ?? 0)),
  );
  const x = scaleLinear()
    .domain([0, Math.max(1, ...totals)])
    .nice()
    .range([labelWidth, width - 12]);
  const y = scaleBand<string>()
    .domain(spec.categories)
    .range([top, top + plotHeight])
    .padding(0.2);
  const band = y.bandwidth();
  const groupBand = band / Math.max(1, spec.series.length);

  const bars: SafeHtml[] = [];
  spec.categories.forEach((category, index) => {
    let offset = 0;
    spec.series.forEach((series, seriesIndex) => {
      const value = series.values[index] ?? 0;
      if (value <= 0) return;
      const start = spec.mode === 'stacked' ? offset : 0;
      const barY = (y(category) ?? 0) + (spec.mode === 'grouped' ? seriesIndex * groupBand : 0);
      const barHeight = spec.mode === 'grouped' ? groupBand : band;
      bars.push(
        html`<rect class="mark" x="${x(start).toFixed(1)}" y="${barY.toFixed(1)}" width="${(x(start + value) - x(start)).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${series.color}"><title>${category}, ${series.name}: ${formatValue(value)} ${spec.unit}</title></rect>`,
      );
      offset += value;
    });
  });

  const axisY = top + plotHeight;
  const ticks = x
    .ticks(5)
    .map(
      (tick) =>
        html`<g><line x1="${x(tick)}" x2="${x(tick)}" y1="${top}" y2="${axisY}" stroke="#e5e7eb"/><text x="${x(tick)}" y="${axisY + 16}" text-anchor="middle" font-size="12" fill="#374151">${formatValue(tick)}</text></g>`,
    );
  const labels = spec.categories.map(
    (category) =>
      html`<text x="${labelWidth - 6}" y="${((y(category) ?? 0) + band / 2 + 4).toFixed(1)}" text-anchor="end" font-size="12" fill="#1b1f24">${category}</text>`,
  );
  const legend = spec.series.map(
    (series, index) =>
      html`<g transform="translate(${labelWidth + index * 120}, ${axisY + axisHeight + 4})"><rect width="12" height="12" fill="${series.color}"/><text x="16" y="11" font-size="12" fill="#1b1f24">${series.name}</text></g>`,
  );

  return html`<svg role="img" aria-label="${spec.title}" viewBox="0 0 ${width} ${height}" width="100%" xmlns="http://www.w3.org/2000/svg">
<title>${spec.title}</title>
${ticks}
${bars}
<line x1="${labelWidth}" x2="${labelWidth}" y1="${top}" y2="${axisY}" stroke="#6b7280"/>
${labels}
<text x="${width - 12}" y="${axisY + 16}" text-anchor="end" font-size="11" fill="#4b5563">${spec.unit}</text>
${legend}
</svg>`;
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
