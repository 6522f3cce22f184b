/**
 * Raw AMQP throughput for one system: for each size, N messages sent awaiting accept, received
 * with a credit window and accepted; N sent again, received receive-and-delete.
 */
import { connect, encodedMessage, receive, sendAwaitAccept, type PhaseResult } from '../lib/amqp.js';
import type { System } from '../lib/systems.js';
import { log } from '../lib/util.js';

export interface ThroughputRow {
  system: string;
  size: number;
  count: number;
  send: PhaseResult;
  receiveAccept: PhaseResult;
  receiveAndDelete: PhaseResult;
  /** The second send, before receive-and-delete. */
  send2: PhaseResult;
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
      rows.push({ system: sys.name, size, count: n, send, receiveAccept, receiveAndDelete, send2 });
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
