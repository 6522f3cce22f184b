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
import { cpuMsOf, fmtRate, log, median, treeOf } from '../lib/util.js';

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

      const pids = treeOf(sys.pid);
      const send = await withCpu(pids, () => sendAwaitAccept(conn, address, n, payload, window));
      const receiveAccept = await withCpu(pids, () => receive(conn, address, n, 'accept', creditWindow));
      const send2 = await withCpu(pids, () => sendAwaitAccept(conn, address, n, payload, window));
      const receiveAndDelete = await withCpu(pids, () => receive(conn, address, n, 'receiveAndDelete', creditWindow));
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

/** Runs a phase and adds the CPU that the server and this process (the rhea client) used, per message. */
async function withCpu(pids: number[], phase: () => Promise<PhaseResult>): Promise<PhaseResult> {
  const server = cpuMsOf(pids);
  const client = process.cpuUsage();
  const r = await phase();
  const own = process.cpuUsage(client);
  return { ...r, serverCpuUs: ((cpuMsOf(pids) - server) * 1000) / r.count, clientCpuUs: (own.user + own.system) / r.count };
}

/** The better of the two sends: the first may still pay for a JIT or a cold queue. */
export const bestSend = (r: ThroughputRow): number => Math.max(r.send.rate, r.send2.rate);

/** Per system, client and size: each phase's median over the rounds (send: of each round's best). */
export function medianRows(all: ThroughputRow[]): ThroughputRow[] {
  const keys = [...new Set(all.map((r) => `${r.system}|${r.client}|${r.size}`))];
  return keys.map((k) => {
    const rs = all.filter((r) => `${r.system}|${r.client}|${r.size}` === k);
    const m = (f: (r: ThroughputRow) => number | undefined) => {
      const v = rs.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
      return v.length ? median(v) : undefined;
    };
    const phase = (f: (r: ThroughputRow) => PhaseResult, count: number): PhaseResult => {
      const rate = m((r) => f(r).rate)!;
      return { count, ms: (count / rate) * 1000, rate, serverCpuUs: m((r) => f(r).serverCpuUs), clientCpuUs: m((r) => f(r).clientCpuUs) };
    };
    const first = rs[0]!;
    // Each round's faster send, with the CPU it took.
    const send = phase((r) => (r.send.rate >= r.send2.rate ? r.send : r.send2), first.count);
    return {
      system: first.system,
      client: first.client,
      size: first.size,
      count: first.count,
      send,
      send2: send,
      receiveAccept: phase((r) => r.receiveAccept, first.count),
      receiveAndDelete: phase((r) => r.receiveAndDelete, first.count),
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

/**
 * CPU per message, server and client, per phase: what the msg/s figures cost, whatever else the
 * machine was doing. A server using far less than the client per message is waiting for it.
 */
export function throughputCpuTable(tp: ThroughputRow[]): string {
  const us = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(1));
  const both = (p: PhaseResult) => `${us(p.serverCpuUs)} / ${us(p.clientCpuUs)}`;
  return table(
    'CPU per message during each phase, µs: server (its whole process tree) / client (median of the rounds)',
    ['system', 'client', 'size', 'send', 'receive + accept', 'receive-and-delete'],
    [...tp]
      .sort((a, b) => a.size - b.size || a.client.localeCompare(b.client) * -1)
      .map((r) => [r.system, r.client, sizeLabel(r.size), both(r.send), both(r.receiveAccept), both(r.receiveAndDelete)]),
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
