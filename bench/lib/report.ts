/** Text tables for stdout and a dependency-free SVG chart of throughput and latency per system. */

export function table(title: string, head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  const sep = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return `\n### ${title}\n\n${line(cells[0]!)}\n${sep}\n${cells.slice(1).map(line).join('\n')}\n`;
}

const COLORS: Record<string, string> = { ceiling: '#9e9e9e', emulator: '#1565c0', rabbitmq: '#ef6c00', artemis: '#6a1b9a' };
const color = (s: string) => COLORS[s.replace(/\/go$/, '')] ?? '#2e7d32';
/** The go-amqp client's bars ("system/go") are the system's colour, lighter. */
const fill = (s: string) => `fill="${color(s)}"${s.endsWith('/go') ? ' fill-opacity="0.45"' : ''}`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export interface BarGroup {
  label: string;
  values: { system: string; value: number }[];
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function panel(x0: number, y0: number, w: number, h: number, title: string, unit: string, groups: BarGroup[], systems: string[]): string {
  const max = niceMax(Math.max(0, ...groups.flatMap((g) => g.values.map((v) => v.value)).filter(Number.isFinite)));
  const left = 70;
  const bottom = 40;
  const plotW = w - left - 10;
  const plotH = h - bottom - 30;
  const out: string[] = [];
  out.push(`<text x="${x0 + w / 2}" y="${y0 + 18}" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = y0 + 30 + plotH - (plotH * i) / 4;
    out.push(`<line x1="${x0 + left}" y1="${y}" x2="${x0 + left + plotW}" y2="${y}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${x0 + left - 6}" y="${y + 4}" text-anchor="end" font-size="10">${v >= 1000 ? `${v / 1000}k` : Number(v.toPrecision(3))}</text>`);
  }
  out.push(`<text x="${x0 + 14}" y="${y0 + 30 + plotH / 2}" font-size="10" transform="rotate(-90 ${x0 + 14} ${y0 + 30 + plotH / 2})" text-anchor="middle">${esc(unit)}</text>`);
  const gw = plotW / Math.max(1, groups.length);
  const bw = Math.min(24, (gw - 10) / Math.max(1, systems.length));
  groups.forEach((g, gi) => {
    const gx = x0 + left + gi * gw + (gw - bw * systems.length) / 2;
    systems.forEach((s, si) => {
      const v = g.values.find((x) => x.system === s)?.value;
      if (v === undefined || !Number.isFinite(v)) return;
      const bh = (plotH * Math.min(v, max)) / max;
      const y = y0 + 30 + plotH - bh;
      out.push(`<rect x="${gx + si * bw}" y="${y}" width="${bw - 2}" height="${bh}" ${fill(s)}><title>${esc(`${s} ${g.label}: ${Number(v.toPrecision(4))} ${unit}`)}</title></rect>`);
    });
    out.push(`<text x="${x0 + left + gi * gw + gw / 2}" y="${y0 + 30 + plotH + 14}" text-anchor="middle" font-size="10">${esc(g.label)}</text>`);
  });
  return out.join('\n');
}

export function svgChart(title: string, throughput: BarGroup[], latency: BarGroup[], systems: string[]): string {
  const W = 960;
  const H = 700;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`,
    panel(0, 35, W, 340, 'Raw AMQP throughput (rhea client; "/go": go-amqp client), msg/s — higher is better', 'msg/s', throughput, systems),
    panel(0, 380, W, 280, 'Send-to-receive latency at 50% of peak (capped at 5,000 msg/s), ms — lower is better', 'ms', latency, systems),
  ];
  systems.forEach((s, i) => {
    parts.push(`<rect x="${20 + i * 115}" y="${H - 24}" width="12" height="12" ${fill(s)}/><text x="${36 + i * 115}" y="${H - 14}" font-size="12">${esc(s)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/**
 * Top functions by self time from a V8 .cpuprofile, optionally only the samples taken within
 * [from, to] (µs on the monotonic clock the profile's startTime uses: process.hrtime).
 */
export function profileTop(profile: {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime?: number;
}, root: string, top = 25, window?: { from: number; to: number }): { fn: string; where: string; selfMs: number; pct: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let t = profile.startTime ?? 0;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    if (window && (t < window.from || t > window.to)) continue;
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i] ?? 0));
  }
  const agg = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const fn = n.callFrame.functionName || '(anonymous)';
    const url = n.callFrame.url.replace(`file://${root}/`, '').replace(/^.*node_modules\//, '');
    const where = url ? `${url}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${fn}@${where}`;
    const a = agg.get(key) ?? { fn, where, us: 0 };
    a.us += us;
    agg.set(key, a);
  }
  return [...agg.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((a) => ({ fn: a.fn, where: a.where, selfMs: Math.round(a.us / 100) / 10, pct: Math.round((a.us / total) * 1000) / 10 }));
}

/** Where the samples of a window fall: the broker, the engine, the Service Bus adapter, rhea, Node, GC, idle. */
export function profileAreas(profile: Parameters<typeof profileTop>[0], window?: { from: number; to: number }): { area: string; ms: number; pct: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const areaOf = (id: number): string => {
    const n = byId.get(id);
    const url = n?.callFrame.url ?? '';
    const fn = n?.callFrame.functionName ?? '';
    if (fn === '(idle)') return 'idle (waiting for the socket)';
    if (fn === '(garbage collector)') return 'garbage collector';
    if (/\/(dist|src)\/broker\//.test(url)) return 'broker (src/broker)';
    if (/\/(dist|src)\/amqp\/engine\//.test(url)) return 'AMQP engine (src/amqp/engine)';
    if (/\/(dist|src)\/amqp\//.test(url)) return 'Service Bus adapter (src/amqp)';
    if (/node_modules\/rhea\//.test(url)) return 'rhea (message sections)';
    if (url.startsWith('node:') || url === '') return 'Node.js and V8 (buffers, sockets, natives)';
    return 'other';
  };
  const totals = new Map<string, number>();
  let t = profile.startTime ?? 0;
  let all = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    if (window && (t < window.from || t > window.to)) continue;
    const a = areaOf(samples[i]!);
    totals.set(a, (totals.get(a) ?? 0) + (deltas[i] ?? 0));
    all += deltas[i] ?? 0;
  }
  return [...totals].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, ms: Math.round(us / 100) / 10, pct: Math.round((us / all) * 1000) / 10 }));
}
