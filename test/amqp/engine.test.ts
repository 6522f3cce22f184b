/**
 * Engine conformance against the real emulator, in raw frames: the fields SDKs read by position,
 * credit and drain per AMQP 1.0 section 2.6.7, both receiver settle modes over thousands of
 * deliveries, links sharing a name, serial-number wrap-around, pipelined SASL and heartbeats.
 * Each case here broke a real client on rhea's server engine.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/amqp/codec.js';
import { startTestEmulator, uniqueName, type Emulator } from '../sdk/harness.js';
import { Raw, accepted, encodeMessage, frames } from './engineClient.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

function queueWith(count: number, prefix = 'eng'): string {
  const queue = uniqueName(prefix);
  emulator.broker.createQueue(queue);
  for (let i = 0; i < count; i += 500) {
    const n = Math.min(500, count - i);
    emulator.broker.send(queue, Array.from({ length: n }, (_, j) => decodeMessage(encodeMessage({ message_id: `m${i + j}`, body: `body ${i + j}` }))));
  }
  return queue;
}

/** A healthy exchange on a fresh connection: proves the server (all of it) still answers. */
async function stillServes(): Promise<void> {
  const raw = await Raw.authorized(emulator.amqpPort);
  raw.close();
}

describe('fields read by position', () => {
  it('open and begin carry channel-max, max-frame-size, idle-time-out, windows and handle-max', async () => {
    const raw = await Raw.authorized(emulator.amqpPort);
    const open = raw.frames('open')[0]!;
    const begin = raw.frames('begin')[0]!;
    expect(open.count).toBe(10);
    expect(open.performative.max_frame_size).toBeGreaterThanOrEqual(512);
    expect(open.performative.channel_max).toBeGreaterThan(0);
    expect(open.performative.idle_time_out).toBeGreaterThan(0);
    expect(begin.count).toBe(8);
    // pyamqp before 7.15 stores handle-max and compares the next handle with it.
    expect(typeof begin.performative.handle_max).toBe('number');
    expect(typeof begin.performative.incoming_window).toBe('number');
    expect(typeof begin.performative.outgoing_window).toBe('number');
    expect(begin.performative.remote_channel).toBe(0);
    raw.close();
  });

  it('a handle above handle-max closes the connection with a framing error', async () => {
    const raw = await Raw.authorized(emulator.amqpPort);
    const max = raw.frames('begin')[0]!.performative.handle_max as number;
    raw.attach(max + 1, 'too-high', 'sender', { target: { address: 'whatever' } });
    await raw.c.waitClosed();
    expect(raw.frames('close')[0]?.performative.error?.condition).toBe('amqp:connection:framing-error');
    await stillServes();
  });
});

describe('credit and drain (2.6.7)', () => {
  it('a flow that computes negative credit leaves credit at zero and the server responsive', async () => {
    const queue = queueWith(2);
    const raw = await Raw.authorized(emulator.amqpPort);
    raw.attach(0, 'r', 'receiver', { source: { address: queue }, target: { address: 'me' }, rcv_settle_mode: 1 });
    raw.flow(0, 0, 2);
    const h = await raw.handleOf('r');
    await raw.c.waitFor(() => raw.frames('transfer').filter((f) => f.performative.handle === h).length === 2 || undefined);
    // Python 7.15 after a lock expiry: a drain whose count is behind ours (0 + 0 - 2 < 0).
    raw.flow(0, 0, 0, { drain: true });
    const reply = await raw.c.waitFor(() => raw.frames('flow').find((f) => f.performative.handle === h && f.performative.drain));
    expect(reply.performative.link_credit).toBe(0);
    expect(reply.performative.delivery_count).toBe(2);
    await stillServes();
    raw.close();
  });

  it('a drain that crosses a delivery is answered with drain echoed and the count advanced', async () => {
    const queue = queueWith(1);
    const raw = await Raw.authorized(emulator.amqpPort);
    raw.attach(0, 'r', 'receiver', { source: { address: queue }, target: { address: 'me' }, rcv_settle_mode: 1 });
    raw.flow(0, 0, 1);
    const h = await raw.handleOf('r');
    await raw.c.waitFor(() => raw.frames('transfer').find((f) => f.performative.handle === h));
    // The client has not seen the transfer yet: delivery-count 0, credit 1, drain.
    raw.flow(0, 0, 1, { drain: true });
    const reply = await raw.c.waitFor(() => raw.frames('flow').find((f) => f.performative.handle === h && f.performative.drain));
    expect(reply.performative.delivery_count).toBe(1);
    expect(reply.performative.link_credit).toBe(0);
    raw.close();
  });

  it('a drain with messages available sends them first, then the drained flow', async () => {
    const queue = queueWith(3);
    const raw = await Raw.authorized(emulator.amqpPort);
    raw.attach(0, 'r', 'receiver', { source: { address: queue }, target: { address: 'me' }, rcv_settle_mode: 1 });
    const h = await raw.handleOf('r');
    raw.flow(0, 0, 5, { drain: true });
    const reply = await raw.c.waitFor(() => raw.frames('flow').find((f) => f.performative.handle === h && f.performative.drain));
    const order = raw.c.frames.filter((f) => f.performative?.handle === h && (f.name === 'transfer' || f.name === 'flow'));
    expect(order.map((f) => f.name)).toEqual(['transfer', 'transfer', 'transfer', 'flow']);
    expect(reply.performative.delivery_count).toBe(5);
    expect(reply.performative.link_credit).toBe(0);
    raw.close();
  });
});

describe('settlement', () => {
  it('rcv-settle-mode second: 3,000 deliveries on one link, the client never settling after our reply', async () => {
    const total = 3000;
    const queue = queueWith(total, 'second');
    const raw = await Raw.authorized(emulator.amqpPort);
    raw.attach(0, 'r', 'receiver', { source: { address: queue }, target: { address: 'me' }, rcv_settle_mode: 1 });
    const h = await raw.handleOf('r');
    let settled = 0;
    let credit = 0;
    const transfers = () => raw.c.frames.filter((f) => f.name === 'transfer' && f.performative.handle === h);
    while (settled < total) {
      if (credit === settled) {
        credit = Math.min(total, settled + 100);
        raw.flow(0, settled, credit - settled);
      }
      const got = await raw.c.waitFor(() => (transfers().length > settled ? transfers() : undefined));
      for (const t of got.slice(settled)) raw.disposition(t.performative.delivery_id, t.performative.delivery_id, false, accepted());
      settled = got.length;
    }
    await raw.c.waitFor(() => emulator.broker.runtime(queue).activeMessageCount === 0 || undefined);
    const ours = raw.frames('disposition').filter((f) => f.performative.role === false && f.performative.settled);
    expect(ours.length).toBe(total);
    raw.close();
  });
});

describe('links', () => {
  it('a sender and a receiver may share a name on one session', async () => {
    const queue = queueWith(0);
    const raw = await Raw.authorized(emulator.amqpPort);
    raw.attach(0, 'helloworld', 'sender', { target: { address: queue } });
    raw.attach(1, 'helloworld', 'receiver', { source: { address: queue }, target: { address: 'me' } });
    await raw.credited('helloworld');
    raw.transfer(0, 1, encodeMessage({ body: 'Hello World!' }));
    raw.flow(1, 0, 1);
    const attaches = await raw.c.waitFor(() => (raw.frames('attach').filter((f) => f.performative.name === 'helloworld').length === 2 ? raw.frames('attach') : undefined));
    const rh = attaches.find((f) => f.performative.name === 'helloworld' && f.performative.role === false)!.performative.handle;
    const t = await raw.c.waitFor(() => raw.frames('transfer').find((f) => f.performative.handle === rh));
    expect(t.payload!.includes(Buffer.from('Hello World!'))).toBe(true);
    expect(raw.frames('close')).toHaveLength(0);
    raw.close();
  });

  it('delivery ids and counts wrap around 2^32', async () => {
    const queue = queueWith(0);
    const start = 0xfffffffe;
    const raw = await Raw.authorized(emulator.amqpPort, {}, { next_outgoing_id: start });
    raw.attach(0, 'wrap', 'sender', { target: { address: queue }, initial_delivery_count: start });
    await raw.credited('wrap');
    // The CBS exchange used ids 0; this link's deliveries use ids from `start`, wrapping.
    for (let i = 0; i < 5; i++) raw.transfer(0, (start + i) >>> 0, encodeMessage({ body: `w${i}` }));
    await raw.c.waitFor(() => emulator.broker.runtime(queue).activeMessageCount === 5 || undefined);
    expect(raw.frames('close')).toHaveLength(0);
    expect(raw.frames('end')).toHaveLength(0);
    raw.close();
  });
});

describe('connection layer', () => {
  it('SASL and AMQP headers pipelined in one write are handled in order', async () => {
    const socket = net.connect(emulator.amqpPort, '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    const saslHeader = Buffer.from([0x41, 0x4d, 0x51, 0x50, 3, 1, 0, 0]);
    const amqpHeader = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0]);
    const init = frames.write_frame(frames.sasl_frame(frames.sasl_init({ mechanism: 'ANONYMOUS', initial_response: Buffer.from('') }).described()));
    const open = frames.write_frame(frames.amqp_frame(0, frames.open({ container_id: 'pipelined', max_frame_size: 65536 }).described()));
    socket.write(Buffer.concat([saslHeader, init, amqpHeader, open]));
    // Expected stream: SASL header, sasl-mechanisms, sasl-outcome, AMQP header, open.
    const parse = (): string[] | undefined => {
      const seen: string[] = [];
      let at = 0;
      while (at < received.length) {
        if (received.subarray(at, at + 4).toString('latin1') === 'AMQP') {
          if (received.length < at + 8) return undefined;
          seen.push(`header-${received[at + 4]}`);
          at += 8;
          continue;
        }
        if (received.length < at + 4) return undefined;
        const size = received.readUInt32BE(at);
        if (received.length < at + size) return undefined;
        const code = received[at + received[at + 4]! * 4 + 2]!;
        seen.push(`0x${code.toString(16)}`);
        at += size;
      }
      return seen.length >= 5 ? seen : undefined;
    };
    const deadline = Date.now() + 3000;
    let seen = parse();
    while (!seen && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      seen = parse();
    }
    expect(seen).toEqual(['header-3', '0x40', '0x44', 'header-0', '0x10']);
    socket.destroy();
  });

  it('sends heartbeats at half the client idle-time-out', async () => {
    const raw = await Raw.authorized(emulator.amqpPort, { idle_time_out: 400 });
    const before = raw.c.frames.filter((f) => f.code === undefined).length;
    await raw.c.waitFor(() => raw.c.frames.filter((f) => f.code === undefined).length >= before + 2 || undefined, 3000);
    raw.close();
  });
});
