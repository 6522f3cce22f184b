/**
 * Raw AMQP throughput for one system: for each size, N messages sent awaiting accept, received
 * with a credit window and accepted; N sent again, received receive-and-delete. Run with the rhea
 * client here and with the go-amqp client (bench/lib/goclient.ts); the bench runs every system in
 * rounds and reports each phase's median over the rounds.
 */
import { connect, encodedMessage, receive, sendAwaitAccept, type PhaseResult } from '../lib/amqp.js';
import type { BarGroup } from '../lib/report.js';
import { table } from '../lib/report.js';
import type { System } from '../lib/systems.js';
import { fmtRate, log, median } from '../lib/util.js';

export interface ThroughputRow {
  system: string;
  /** The load client: rhea (bench/lib/amqp.ts) or go (bench/goclient, go-amqp). */
  client: 'rhea' | 'go';
  size: number;
  count: number;
  send: PhaseResult;
  receiveAccept: PhaseResult;
  receiveAndDelete: PhaseResult;
  /** The second send, before receive-and-delete. */
  send2: PhaseResult;
  /** Medians only: how many rounds they were taken over. */
  rounds?: number;
}

export async function throughput(sys: System, sizes: number[], n: number, window: number, creditWindow: number): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const size of sizes) {
    const address = sys.target.address(`bench-${size}`);
    const payload = encodedMessage(size);
    const conn = await connect(sys.target);
    try {
      // A short warm-up so JITs (V8, BEAM, HotSpot) and queue creation are not in the figures.
      const warm = Math.max(2000, Math.ceil(n / 4));
      await sendAwaitAccept(conn, address, warm, payload, window);
      await receive(conn, address, warm, 'accept', creditWindow);

      const send = await sendAwaitAccept(conn, address, n, payload, window);
      const receiveAccept = await receive(conn, address, n, 'accept', creditWindow);
      const send2 = await sendAwaitAccept(conn, address, n, payload, window);
      const receiveAndDelete = await receive(conn, address, n, 'receiveAndDelete', creditWindow);
      rows.push({ system: sys.name, client: 'rhea', size, count: n, send, receiveAccept, receiveAndDelete, send2 });
      log(
        `${sys.name} ${size} B: send ${Math.round(send.rate)}/s (${Math.round(send2.rate)}/s), receive+accept ${Math.round(receiveAccept.rate)}/s, ` +
          `receive-and-delete ${Math.round(receiveAndDelete.rate)}/s`,
      );
    } finally {
      await conn.close();
    }
  }
  return rows;
}

/** The better of the two sends: the first may still pay for a JIT or a cold queue. */
export const bestSend = (r: ThroughputRow): number => Math.max(r.send.rate, r.send2.rate);

/** Per system, client and size: each phase's median over the rounds (send: of each round's best). */
export function medianRows(all: ThroughputRow[]): ThroughputRow[] {
  const keys = [...new Set(all.map((r) => `${r.system}|${r.client}|${r.size}`))];
  return keys.map((k) => {
    const rs = all.filter((r) => `${r.system}|${r.client}|${r.size}` === k);
    const phase = (rate: number, count: number): PhaseResult => ({ count, ms: (count / rate) * 1000, rate });
    const m = (f: (r: ThroughputRow) => number) => median(rs.map(f));
    const first = rs[0]!;
    const send = phase(m(bestSend), first.count);
    return {
      system: first.system,
      client: first.client,
      size: first.size,
      count: first.count,
      send,
      send2: send,
      receiveAccept: phase(m((r) => r.receiveAccept.rate), first.count),
      receiveAndDelete: phase(m((r) => r.receiveAndDelete.rate), first.count),
      rounds: rs.length,
    };
  });
}

const sizeLabel = (size: number) => (size === 4096 ? '4 KB' : `${size} B`);

/** The throughput table: msg/s, × the ceiling and × Artemis, each against the same client. */
export function throughputTable(tp: ThroughputRow[], n: number, rounds: number): string {
  const of = (system: string, r: ThroughputRow) => tp.find((x) => x.system === system && x.client === r.client && x.size === r.size);
  const ratio = (v: number, c: number | undefined) => (c ? `${(v / c).toFixed(2)}×` : '-');
  return table(
    `Raw AMQP throughput (${n} messages per phase, median of ${rounds} round${rounds === 1 ? '' : 's'}; msg/s, × ceiling and × Artemis with the same client)`,
    ['system', 'client', 'size', 'send (await accept)', '× ceil', '× artemis', 'receive + accept', '× ceil', '× artemis', 'receive-and-delete', '× ceil', '× artemis'],
    [...tp]
      .sort((a, b) => a.size - b.size || a.client.localeCompare(b.client) * -1)
      .map((r) => {
        const c = of('ceiling', r);
        const a = of('artemis', r);
        return [
          r.system,
          r.client,
          sizeLabel(r.size),
          fmtRate(bestSend(r)),
          ratio(bestSend(r), c && bestSend(c)),
          ratio(bestSend(r), a && bestSend(a)),
          fmtRate(r.receiveAccept.rate),
          ratio(r.receiveAccept.rate, c?.receiveAccept.rate),
          ratio(r.receiveAccept.rate, a?.receiveAccept.rate),
          fmtRate(r.receiveAndDelete.rate),
          ratio(r.receiveAndDelete.rate, c?.receiveAndDelete.rate),
          ratio(r.receiveAndDelete.rate, a?.receiveAndDelete.rate),
        ];
      }),
  );
}

/** Bars for the SVG: one series per system and client ("emulator", "emulator/go"). */
export function throughputGroups(tp: ThroughputRow[]): BarGroup[] {
  const groups: BarGroup[] = [];
  const series = (r: ThroughputRow) => (r.client === 'rhea' ? r.system : `${r.system}/go`);
  for (const size of [256, 4096]) {
    const rows = tp.filter((r) => r.size === size);
    if (rows.length === 0) continue;
    groups.push({ label: `send ${sizeLabel(size)}`, values: rows.map((r) => ({ system: series(r), value: bestSend(r) })) });
    groups.push({ label: `recv+accept ${sizeLabel(size)}`, values: rows.map((r) => ({ system: series(r), value: r.receiveAccept.rate })) });
    groups.push({ label: `recv&delete ${sizeLabel(size)}`, values: rows.map((r) => ({ system: series(r), value: r.receiveAndDelete.rate })) });
  }
  return groups;
}

export const seriesNames = (tp: ThroughputRow[]): string[] => [...new Set(tp.map((r) => (r.client === 'rhea' ? r.system : `${r.system}/go`)))];
