/**
 * One fuzz connection: a raw TCP socket that writes a planned (partly mutated) replay of a
 * captured connection and reads what the server answers.
 *
 * Writes come in random groups, sometimes split inside a frame, with a turn of the event loop
 * between them: the server meets both pipelined frames and frames that straddle socket reads.
 * Sending stops as soon as the fuzzer sees the server's close frame or end of stream, and a mutated
 * frame is counted only when it was written before that (frames written after the server gave up
 * test nothing). Frames later in the same write as the one the server refused still count: the
 * figure is the mutated frames written to a connection not yet seen closed, an upper bound on what
 * the server read. The server's output is scanned for the error conditions it closes
 * connections, ends sessions and detaches links with, and for amqp:internal-error anywhere
 * (close, detach, rejected outcome, $management errorCondition): that condition is what the
 * emulator answers when an exception it did not expect escaped, which is a bug to report.
 */
import net from 'node:net';
import { Decoder, Described } from '../../src/amqp/engine/decoder.js';
import type { Planned, Rng } from './mutate.js';

export interface ReplayResult {
  framesSent: number;
  /** Mutated frames written while the server still had the connection open. */
  mutatedSent: number;
  /** Mutated protocol headers, likewise (not frames, so not in mutatedSent). */
  headersMutated: number;
  byMutator: Map<string, number>;
  /** Conditions of the close, end and detach frames the server sent. */
  conditions: Map<string, number>;
  /** Text around each amqp:internal-error the server wrote. */
  internalErrors: string[];
  /** The server closed the socket (rather than our linger running out). */
  serverClosed: boolean;
  /** The connection could not even be opened. */
  connectError?: string;
}

const INTERNAL = Buffer.from('amqp:internal-error', 'latin1');
const CLOSING = new Set([0x16, 0x17, 0x18]); // detach, end, close
const tick = () => new Promise<void>((r) => setImmediate(r));

/** Splits the server's byte stream into headers and frames, reporting each frame. */
class ServerReader {
  private buf: Buffer = Buffer.alloc(0);
  closeSeen = false;

  constructor(private readonly result: ReplayResult) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let pos = 0;
    while (this.buf.length - pos >= 8) {
      if (this.buf.toString('latin1', pos, pos + 4) === 'AMQP') {
        pos += 8;
        continue;
      }
      const size = this.buf.readUInt32BE(pos);
      if (size < 8) break; // not a frame we can follow; the server never writes one
      if (this.buf.length - pos < size) break;
      this.frame(this.buf.subarray(pos, pos + size));
      pos += size;
    }
    this.buf = this.buf.subarray(pos);
  }

  private frame(f: Buffer): void {
    const body = f.subarray(f[4]! * 4);
    if (body.length < 3 || body[0] !== 0x00 || body[1] !== 0x53) return;
    const code = body[2]!;
    if (code === 0x18) this.closeSeen = true;
    let at = f.indexOf(INTERNAL);
    while (at >= 0 && this.result.internalErrors.length < 20) {
      this.result.internalErrors.push(f.subarray(at, at + 240).toString('latin1').replace(/[^\x20-\x7e]+/g, ' '));
      at = f.indexOf(INTERNAL, at + 1);
    }
    if (!CLOSING.has(code)) return;
    try {
      const performative = new Decoder(body).read() as Described;
      const fields = Array.isArray(performative.value) ? performative.value : [];
      const error = fields[code === 0x16 ? 2 : 0];
      if (error instanceof Described && Array.isArray(error.value)) {
        const key = `${code === 0x18 ? 'close' : code === 0x17 ? 'end' : 'detach'} ${String(error.value[0])}`;
        this.result.conditions.set(key, (this.result.conditions.get(key) ?? 0) + 1);
      }
    } catch {
      this.result.conditions.set('undecodable server frame', (this.result.conditions.get('undecodable server frame') ?? 0) + 1);
    }
  }
}

export async function replay(port: number, plan: Planned[], rng: Rng, lingerMs: number): Promise<ReplayResult> {
  const result: ReplayResult = { framesSent: 0, mutatedSent: 0, headersMutated: 0, byMutator: new Map(), conditions: new Map(), internalErrors: [], serverClosed: false };
  const reader = new ServerReader(result);
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  let ended = false;
  let closed = false;
  const closedPromise = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (d: Buffer) => reader.push(d));
  socket.on('end', () => (ended = true));
  socket.on('close', () => (closed = true));
  // Once connected, a reset or a broken pipe is only the server dropping a connection it gave up on.
  socket.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
  } catch (e) {
    result.connectError = (e as Error).message;
    socket.destroy();
    return result;
  }
  const done = () => ended || closed || reader.closeSeen;

  for (let i = 0; i < plan.length && !done(); ) {
    const n = 1 + rng.int(rng.chance(0.7) ? 3 : 12);
    const group = plan.slice(i, i + n);
    i += group.length;
    const bytes = Buffer.concat(group.map((g) => g.bytes));
    if (rng.chance(0.15) && bytes.length > 1) {
      // Cut the group inside a frame: the rest follows on a later read.
      const cut = 1 + rng.int(bytes.length - 1);
      socket.write(bytes.subarray(0, cut));
      await tick();
      if (done()) break;
      socket.write(bytes.subarray(cut));
    } else socket.write(bytes);
    for (const g of group) {
      if (!g.header) result.framesSent++;
      if (g.mutator === undefined) continue;
      if (g.header) result.headersMutated++;
      else result.mutatedSent++;
      result.byMutator.set(g.mutator, (result.byMutator.get(g.mutator) ?? 0) + 1);
    }
    await tick();
  }

  // The capture ends with a close, so a server that understood it closes now; otherwise the
  // server may be waiting for the rest of a frame it was promised, and we stop waiting.
  const linger = new Promise<void>((r) => setTimeout(r, lingerMs).unref());
  await Promise.race([closedPromise, linger]);
  result.serverClosed = closed || ended;
  socket.destroy();
  return result;
}
