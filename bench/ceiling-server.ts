/**
 * The ceiling: a rhea AMQP 1.0 server with no broker logic. It accepts each transfer after
 * storing its bytes in an array per address and delivers them to receivers as credit allows
 * (pre-settled for snd-settle-mode settled, else unsettled; an accept drops the message, a
 * release or modify puts it back in front). No CBS, no locks, no sequence numbers, no indexes.
 *
 * Plain rhea 3, as a user of rhea would run it: it decodes each message and re-encodes it to keep
 * the bytes, which is the work any rhea server does.
 *
 *   tsx bench/ceiling-server.ts [--port 0] [--host 127.0.0.1]
 * prints `ceiling listening on <port>` on stdout once it accepts connections.
 */
import type { AddressInfo, Server } from 'node:net';
import rhea from 'rhea';

const MAX_FRAME_SIZE = 256 * 1024;

/* eslint-disable @typescript-eslint/no-explicit-any */

class Fifo {
  private items: Buffer[] = [];
  private head = 0;
  get length() {
    return this.items.length - this.head;
  }
  push(b: Buffer) {
    this.items.push(b);
  }
  unshift(b: Buffer) {
    if (this.head > 0) this.items[--this.head] = b;
    else this.items.unshift(b);
  }
  shift(): Buffer | undefined {
    if (this.head >= this.items.length) return undefined;
    const b = this.items[this.head]!;
    this.items[this.head++] = undefined as never;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return b;
  }
}

export async function startCeiling(port = 0, host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const queues = new Map<string, Fifo>();
  const consumers = new Map<string, Set<any>>();
  const queue = (address: string) => {
    let q = queues.get(address);
    if (!q) queues.set(address, (q = new Fifo()));
    return q;
  };
  const pump = (link: any) => {
    const q = queue(link.__address);
    while (q.length > 0 && link.sendable()) {
      const bytes = q.shift()!;
      const delivery = link.send(bytes, undefined, 0);
      if (!delivery.settled) delivery.__bytes = bytes;
    }
  };

  const container = rhea.create_container({ id: 'ceiling', autoaccept: false, treat_modified_as_released: false } as any);
  const mechs: any = container.sasl_server_mechanisms;
  mechs.enable_anonymous();
  mechs.MSSBCBS = mechs.ANONYMOUS;
  mechs.enable_plain(() => true);

  container.on('receiver_open', (ctx: any) => {
    const link = ctx.receiver;
    // A terminus built by rhea: a decoded one put back is encoded as a map, which go-amqp refuses.
    link.set_target({ address: link.remote.attach?.target?.address });
    link.local.attach.snd_settle_mode = link.remote.attach?.snd_settle_mode ?? 2;
    link.local.attach.rcv_settle_mode = 0;
    link.__address = link.remote.attach?.target?.address ?? '';
  });
  container.on('message', (ctx: any) => {
    const address = ctx.receiver.__address;
    const raw: Buffer = Buffer.isBuffer(ctx.message) ? ctx.message : (rhea.message as any).encode(ctx.message);
    queue(address).push(raw);
    if (!ctx.delivery.remote_settled) ctx.delivery.accept();
    for (const c of consumers.get(address) ?? []) pump(c);
  });
  container.on('sender_open', (ctx: any) => {
    const link = ctx.sender;
    const remote = link.remote.attach ?? {};
    link.set_source({ address: remote.source?.address });
    link.local.attach.snd_settle_mode = remote.snd_settle_mode ?? 0;
    link.local.attach.rcv_settle_mode = remote.rcv_settle_mode ?? 0;
    const address = remote.source?.address ?? '';
    link.__address = address;
    let set = consumers.get(address);
    if (!set) consumers.set(address, (set = new Set()));
    set.add(link);
  });
  container.on('sendable', (ctx: any) => pump(ctx.sender));
  const putBack = (ctx: any) => {
    const bytes = ctx.delivery.__bytes;
    if (bytes) queue(ctx.sender.__address).unshift(bytes);
    ctx.delivery.update(true);
    pump(ctx.sender);
  };
  container.on('released', putBack);
  container.on('modified', putBack);
  container.on('accepted', (ctx: any) => {
    // rcv-settle-mode second would want our settle; first (the default) needs nothing.
    if (!ctx.delivery.remote_settled) ctx.delivery.update(true);
  });
  const unregister = (ctx: any) => {
    const link = ctx.sender;
    if (link) consumers.get(link.__address)?.delete(link);
  };
  container.on('sender_close', unregister);
  container.on('sender_error', unregister);
  container.on('disconnected', (ctx: any) => {
    for (const set of consumers.values()) for (const l of set) if (l.connection === ctx.connection) set.delete(l);
  });
  container.on('error', () => {});

  const server: Server = container.listen({
    container_id: 'ceiling',
    max_frame_size: MAX_FRAME_SIZE,
    channel_max: 4999,
    properties: {},
    port,
    host,
  } as any) as unknown as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'));
if (isMain) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const ceiling = await startCeiling(Number(arg('--port') ?? 0), arg('--host') ?? '127.0.0.1');
  process.stdout.write(`ceiling listening on ${ceiling.port}\n`);
  const stop = () => void ceiling.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
