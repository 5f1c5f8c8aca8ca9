/** One line of a chart: its label, colour and a value per point (null: no data there). */
export interface ChartSeries {
  label: string;
  colour: string;
  values: Array<number | null>;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A small SVG line chart: y from 0 (or the lowest value) to the highest, the x axis in minutes ago. */
export function svgLineChart(options: { id: string; title: string; series: ChartSeries[]; spanMinutes: number; format: (value: number) => string }): string {
  const width = 460;
  const height = 184;
  const left = 52;
  const right = 10;
  const top = 26;
  const bottom = 36;
  const values = options.series.flatMap((series) => series.values.filter((value): value is number => value !== null && Number.isFinite(value)));
  const low = Math.min(0, ...values);
  const high = values.length === 0 ? 1 : Math.max(...values, low + 1e-9);
  const points = Math.max(...options.series.map((series) => series.values.length), 2);
  const x = (index: number) => left + (index / (points - 1)) * (width - left - right);
  const y = (value: number) => top + (1 - (value - low) / (high - low)) * (height - top - bottom);
  const lines = options.series.map((series) => {
    // Consecutive points with data form one polyline; a gap breaks it.
    const runs: string[][] = [[]];
    series.values.forEach((value, index) => {
      if (value === null || !Number.isFinite(value)) {
        if (runs.at(-1)!.length > 0) runs.push([]);
        return;
      }
      runs.at(-1)!.push(`${x(index).toFixed(1)},${y(value).toFixed(1)}`);
    });
    return runs
      .filter((run) => run.length > 0)
      .map((run) => (run.length === 1 ? `<circle class="point" cx="${run[0].split(',')[0]}" cy="${run[0].split(',')[1]}" r="2" fill="${series.colour}"/>` : `<polyline class="line" data-points="${run.length}" fill="none" stroke="${series.colour}" stroke-width="2" points="${run.join(' ')}"/>`))
      .join('');
  });
  const legend = options.series.map((series, index) => `<text x="${left + index * 140}" y="${height - 6}" fill="${series.colour}" font-size="11">— ${escape(series.label)}</text>`).join('');
  return [
    `<svg id="${escape(options.id)}" class="chart" data-values="${values.length}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escape(options.title)}">`,
    `<text x="${left}" y="16" font-size="13" font-weight="bold">${escape(options.title)}</text>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#999"/>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#999"/>`,
    `<text x="${left - 4}" y="${top + 4}" font-size="10" text-anchor="end">${escape(options.format(high))}</text>`,
    `<text x="${left - 4}" y="${height - bottom}" font-size="10" text-anchor="end">${escape(options.format(low))}</text>`,
    `<text x="${width - right}" y="${height - bottom + 12}" font-size="10" text-anchor="end">now</text>`,
    `<text x="${left}" y="${height - bottom + 12}" font-size="10">${options.spanMinutes} min ago</text>`,
    ...lines,
    legend,
    values.length === 0 ? `<text x="${(left + width) / 2}" y="${height / 2}" font-size="12" text-anchor="middle" fill="#999">no data yet</text>` : '',
    '</svg>',
  ].join('');
}
