/**
 * A deliberately low-level AMQP client for tests: writes exactly the bytes a test asks for and
 * decodes what the server writes with a strict positional decoder (the way pyamqp reads it).
 */
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const frames = require('rhea/lib/frames.js') as any;
const types = require('rhea/lib/types.js') as any;

/** Field counts of each performative as the AMQP 1.0 spec defines them. */
export const FULL_FIELD_COUNT: Record<number, [string, number]> = {
  0x10: ['open', 10],
  0x11: ['begin', 8],
  0x12: ['attach', 14],
  0x13: ['flow', 11],
  0x14: ['transfer', 11],
  0x15: ['disposition', 6],
  0x16: ['detach', 3],
  0x17: ['end', 1],
  0x18: ['close', 1],
};

export interface StrictFrame {
  type: number;
  channel: number;
  /** Performative descriptor code, or undefined for an empty (heartbeat) frame. */
  code?: number;
  name?: string;
  /** Number of fields in the performative's list as encoded. */
  count?: number;
  /** 'list8' | 'list32' | 'list0' */
  encoding?: string;
  /** rhea's decoded performative, for reading field values. */
  performative?: any;
  payload?: Buffer;
}

/** Decodes one frame, insisting on a small-ulong descriptor and an explicit list. */
export function decodeStrict(buf: Buffer): StrictFrame {
  const size = buf.readUInt32BE(0);
  if (size !== buf.length) throw new Error(`frame size ${size} != ${buf.length}`);
  const doff = buf[4]!;
  const type = buf[5]!;
  const channel = buf.readUInt16BE(6);
  let o = doff * 4;
  if (o === buf.length) return { type, channel };
  if (buf[o] !== 0x00 || buf[o + 1] !== 0x53) throw new Error(`performative descriptor is not a small ulong at ${o}: ${buf.subarray(o, o + 3).toString('hex')}`);
  const code = buf[o + 2]!;
  o += 3;
  const ctor = buf[o]!;
  let count: number;
  let encoding: string;
  if (ctor === 0xc0) {
    count = buf[o + 2]!;
    encoding = 'list8';
  } else if (ctor === 0xd0) {
    count = buf.readUInt32BE(o + 5);
    encoding = 'list32';
  } else if (ctor === 0x45) {
    count = 0;
    encoding = 'list0';
  } else throw new Error(`performative body constructor 0x${ctor.toString(16)}`);
  const decoded = frames.read_frame(buf);
  return { type, channel, code, name: FULL_FIELD_COUNT[code]?.[0], count, encoding, performative: decoded.performative, payload: decoded.payload };
}

export class RawClient {
  readonly socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private headerPending = 0;
  readonly headers: Buffer[] = [];
  readonly frames: StrictFrame[] = [];
  readonly errors: Error[] = [];
  closed = false;
  private waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The next bytes the client reads start with a protocol header (after each header we send). */
  expectHeader() {
    this.headerPending++;
  }

  private onData(d: Buffer) {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      if (this.headerPending > 0) {
        if (this.buffer.length < 8) break;
        this.headers.push(this.buffer.subarray(0, 8));
        this.buffer = this.buffer.subarray(8);
        this.headerPending--;
        continue;
      }
      if (this.buffer.length < 4) break;
      const size = this.buffer.readUInt32BE(0);
      if (this.buffer.length < size) break;
      const frame = this.buffer.subarray(0, size);
      this.buffer = this.buffer.subarray(size);
      try {
        this.frames.push(decodeStrict(frame));
      } catch (e) {
        this.errors.push(e as Error);
      }
    }
    this.wake();
  }

  write(bytes: Buffer) {
    this.socket.write(bytes);
  }

  header(protocolId: number) {
    const b = Buffer.alloc(8);
    frames.write_header(b, { protocol_id: protocolId, major: 1, minor: 0, revision: 0 });
    this.expectHeader();
    this.write(b);
  }

  amqp(channel: number, performative: any, payload?: Buffer) {
    this.write(frames.write_frame(frames.amqp_frame(channel, performative.described(), payload)));
  }

  sasl(performative: any) {
    this.write(frames.write_frame(frames.sasl_frame(performative.described())));
  }

  /** Waits until `pred` holds over the frames read so far, or the socket closes. */
  async waitFor<T>(pred: () => T | undefined, timeoutMs = 3000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pred();
      if (v) return v;
      if (this.closed) throw new Error('connection closed while waiting');
      if (Date.now() > deadline) throw new Error('timed out waiting for a frame');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  frame(name: string, from = 0): StrictFrame | undefined {
    return this.frames.slice(from).find((f) => f.name === name);
  }

  async waitClosed(timeoutMs = 3000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket still open');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SASL ANONYMOUS, then open: leaves the connection open at the AMQP layer. */
  async open(mechanism = 'ANONYMOUS') {
    this.header(3);
    await this.waitFor(() => this.frames.find((f) => f.type === 1 && f.code === 0x40));
    this.sasl(frames.sasl_init({ mechanism, initial_response: Buffer.from('') }));
    await this.waitFor(() => this.frames.find((f) => f.type === 1 && f.code === 0x44));
    this.header(0);
    this.amqp(0, frames.open({ container_id: 'raw-test', hostname: 'localhost', max_frame_size: 65536 }));
    await this.waitFor(() => this.frame('open'));
  }

  close() {
    this.socket.destroy();
  }
}

export { frames, types };
