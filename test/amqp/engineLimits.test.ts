/**
 * The engine alone, with small limits so each can be crossed quickly: our idle time-out, the
 * socket high-water mark (a client that grants credit and stops reading), and the per-connection
 * memory budget for partial deliveries.
 */
import net, { type AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, outcomes, type EngineOptions, type IncomingLink, type OutgoingLink } from '../../src/amqp/engine/index.js';
import { Raw, frames } from './engineClient.js';
import { RawClient } from './rawClient.js';

let server: net.Server | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  engine?.destroyAll();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const PAYLOAD = Buffer.alloc(16 * 1024, 0x62);

/** An engine that accepts every link, sends 16 KB messages as fast as credit allows, accepts all. */
async function startEngine(overrides: Partial<EngineOptions>): Promise<number> {
  let tag = 0;
  engine = new Engine({
    containerId: 'limits', maxFrameSize: 65536, channelMax: 16, handleMax: 255, idleTimeOutMs: 60_000,
    memoryBudget: 64 * 1024 * 1024, highWaterMark: 256 * 1024,
    sasl: { mechanisms: ['ANONYMOUS'] }, logger: pino({ level: 'silent' }),
    handler: {
      onAttach(link) {
        const source = link.remote.source ?? null;
        const target = link.remote.target ?? null;
        if (link.isSender) {
          const out = link as OutgoingLink;
          out.events.onCredit = () => {
            while (out.sendable() > 0) out.send(PAYLOAD, Buffer.from([tag++ & 0xff]));
          };
        } else {
          const inc = link as IncomingLink;
          inc.events.onMessage = (d) => inc.settle(d, outcomes.ACCEPTED);
        }
        link.accept({ source, target });
      },
    },
    ...overrides,
  });
  server = net.createServer((s) => engine!.accept(s));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

async function openSession(port: number): Promise<Raw> {
  const c = await RawClient.connect(port);
  await c.open();
  c.amqp(0, frames.begin({ next_outgoing_id: 0, incoming_window: 1_000_000, outgoing_window: 1_000_000 }));
  await c.waitFor(() => c.frame('begin'));
  return Object.assign(Object.create(Raw.prototype), { c, port }) as Raw;
}

describe('engine limits', () => {
  it('closes a silent client after twice its idle-time-out with resource-limit-exceeded', async () => {
    const port = await startEngine({ idleTimeOutMs: 150 });
    const raw = await openSession(port);
    expect(raw.frames('open')[0]!.performative.idle_time_out).toBe(150);
    await raw.c.waitClosed(3000);
    expect(raw.frames('close')[0]?.performative.error?.condition).toBe('amqp:resource-limit-exceeded');
  });

  it('stops sending to a client that stops reading, and resumes when it reads again', async () => {
    const port = await startEngine({ highWaterMark: 256 * 1024 });
    const raw = await openSession(port);
    raw.attach(0, 'greedy', 'receiver', { source: { address: 'x' }, target: { address: 'y' } });
    await raw.handleOf('greedy');
    raw.c.socket.pause();
    // 100,000 credits of 16 KB would be 1.6 GB if the server buffered all it may send.
    raw.flow(0, 0, 100_000);
    await new Promise((r) => setTimeout(r, 500));
    const conn = [...engine!.connections][0]!;
    expect(conn.socket.writableLength).toBeLessThan(4 * 1024 * 1024);
    const sentWhilePaused = conn.socket.bytesWritten ?? 0;
    expect(sentWhilePaused).toBeLessThan(64 * 1024 * 1024);
    raw.c.socket.resume();
    await raw.c.waitFor(() => ((conn.socket.bytesWritten ?? 0) > sentWhilePaused + 4 * 1024 * 1024 ? true : undefined), 5000);
    raw.close();
  });

  it('closes a connection whose partial deliveries exceed its memory budget', async () => {
    const port = await startEngine({ memoryBudget: 100 * 1024 });
    const raw = await openSession(port);
    for (let h = 0; h < 3; h++) raw.attach(h, `s${h}`, 'sender', { target: { address: 'q' } });
    for (let h = 0; h < 3; h++) await raw.credited(`s${h}`);
    const chunk = Buffer.alloc(40 * 1024, 0x63);
    for (let h = 0; h < 3; h++) raw.transfer(h, h, chunk, { more: true });
    await raw.c.waitClosed(3000);
    expect(raw.frames('close')[0]?.performative.error?.condition).toBe('amqp:resource-limit-exceeded');
  });
});
