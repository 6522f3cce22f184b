// The overview's small charts: each count of an entity over the last minutes, as inline SVG
// polylines (colours come from style.css, so they follow light and dark mode).
import { svg } from './dom.js';

export const SERIES = [
  { key: 'active', label: 'Active', field: 'activeMessageCount' },
  { key: 'scheduled', label: 'Scheduled', field: 'scheduledMessageCount' },
  { key: 'deferred', label: 'Deferred', field: 'deferredMessageCount' },
  { key: 'dead', label: 'Dead-lettered', field: 'deadLetterMessageCount' },
  { key: 'transfer', label: 'Transfer', field: 'transferMessageCount' },
];

/** How long the charts look back. */
export const WINDOW_MS = 5 * 60_000;

const history = new Map();

/** Records one sample of every entity's counts (at the browser's time: polls are real time). */
export function record(entities, now = Date.now()) {
  const seen = new Set();
  for (const e of entities) {
    seen.add(e.path);
    let points = history.get(e.path);
    if (points === undefined) history.set(e.path, (points = []));
    const sample = { t: now };
    for (const s of SERIES) sample[s.key] = e.runtime[s.field] ?? 0;
    points.push(sample);
    while (points.length > 0 && points[0].t < now - WINDOW_MS) points.shift();
  }
  for (const path of history.keys()) if (!seen.has(path)) history.delete(path);
}

export function clearHistory() {
  history.clear();
}

export function sparkline(path, width = 180, height = 36) {
  const points = history.get(path) ?? [];
  const now = points.length > 0 ? points[points.length - 1].t : Date.now();
  let max = 1;
  for (const p of points) for (const s of SERIES) max = Math.max(max, p[s.key]);
  // A young history spreads over the width (at least 30 s of it) rather than hugging the right edge.
  const span = Math.min(WINDOW_MS, Math.max(30_000, points.length > 0 ? now - points[0].t : 0));
  const x = (t) => (width * (t - (now - span))) / span;
  const y = (v) => height - 2 - ((height - 4) * v) / max;
  const last = points[points.length - 1];
  const label = last === undefined ? 'No samples yet' : `Last ${Math.round(span / 1000)} seconds, peak ${max}. Now: ${SERIES.map((s) => `${s.label.toLowerCase()} ${last[s.key]}`).join(', ')}`;
  const chart = svg('svg', { class: 'spark', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label });
  chart.append(svg('title', {}, label));
  chart.append(svg('line', { class: 'axis', x1: 0, y1: height - 1, x2: width, y2: height - 1 }));
  for (const s of SERIES) {
    if (points.length === 0 || (s.key !== 'active' && points.every((p) => p[s.key] === 0))) continue;
    // A step line: counts change at an instant, they do not slope.
    let d = '';
    points.forEach((p, i) => {
      d += i === 0 ? `M${x(p.t).toFixed(1)},${y(p[s.key]).toFixed(1)}` : `H${x(p.t).toFixed(1)}V${y(p[s.key]).toFixed(1)}`;
    });
    d += `H${width}`;
    chart.append(svg('path', { class: `series ${s.key}`, d }));
  }
  return chart;
}

export function legend() {
  const el = document.createElement('ul');
  el.className = 'legend';
  el.setAttribute('aria-label', 'Chart legend');
  for (const s of SERIES) {
    const li = document.createElement('li');
    li.append(svg('svg', { width: 14, height: 4, 'aria-hidden': 'true' }, svg('line', { class: `series ${s.key}`, x1: 0, y1: 2, x2: 14, y2: 2 })), ` ${s.label}`);
    el.append(li);
  }
  return el;
}
