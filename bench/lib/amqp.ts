/**
 * The raw AMQP 1.0 workload, one rhea client for every system: the emulator, the ceiling server,
 * RabbitMQ, Artemis. Only connecting differs (CBS token, SASL PLAIN, nothing).
 *
 * - sendAwaitAccept: unsettled transfers, at most `window` awaiting their accept at a time (and
 *   never more than the link credit the peer grants); done when all N are accepted.
 * - receive: a credit window (rhea tops the credit up as messages arrive), each message accepted
 *   (peek-lock) or taken pre-settled (receive-and-delete: snd-settle-mode settled).
 */
import { createHmac } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import rhea from 'rhea';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface AmqpTarget {
  host: string;
  port: number;
  /** 'cbs': put a SAS token on $cbs first (the emulator); 'plain': SASL PLAIN; 'none': no SASL. */
  auth: 'cbs' | 'plain' | 'none';
  username?: string;
  password?: string;
  /** SAS key for 'cbs'. */
  keyName?: string;
  key?: string;
  /** The address a queue named `queue` has on this system. */
  address(queue: string): string;
}

export function sasToken(audience: string, keyName: string, key: string, expiresAtSeconds: number): string {
  const encoded = encodeURIComponent(audience);
  const sig = createHmac('sha256', key).update(`${encoded}\n${expiresAtSeconds}`).digest('base64');
  return `SharedAccessSignature sr=${encoded}&sig=${encodeURIComponent(sig)}&se=${expiresAtSeconds}&skn=${encodeURIComponent(keyName)}`;
}

function once<T = any>(emitter: any, event: string, timeoutMs = 15_000, failOn: string[] = []): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (ctx: T) => {
      clearTimeout(t);
      resolve(ctx);
    });
    for (const f of failOn) {
      emitter.once(f, (ctx: any) => {
        clearTimeout(t);
        const err = ctx?.[f.startsWith('receiver') ? 'receiver' : f.startsWith('sender') ? 'sender' : 'connection']?.error;
        reject(new Error(`${f}: ${err ? JSON.stringify(err) : (ctx?.error?.message ?? 'no detail')}`));
      });
    }
  });
}

export interface Conn {
  connection: any;
  close(): Promise<void>;
}

export async function connect(target: AmqpTarget): Promise<Conn> {
  const container = rhea.create_container({ id: `bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}` });
  const options: any = {
    host: target.host,
    port: target.port,
    reconnect: false,
    idle_time_out: 120_000,
    // Nagle off on our side, as every serious client does.
    connect: (port: number, host: string, _o: unknown, cb: () => void) => {
      const s = net.connect(port, host, cb);
      s.setNoDelay(true);
      return s;
    },
  };
  if (target.auth === 'plain') {
    options.username = target.username;
    options.password = target.password;
  }
  if (target.auth === 'cbs') options.hostname = 'localhost';
  const connection: any = container.connect(options);
  connection.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('connection did not open within 15 s')), 15_000);
    connection.once('connection_open', () => {
      clearTimeout(t);
      resolve();
    });
    connection.once('connection_error', (ctx: any) => reject(new Error(`connection_error ${JSON.stringify(ctx.connection?.error)}`)));
    connection.once('disconnected', (ctx: any) => reject(ctx.error ?? new Error('disconnected')));
  });
  if (target.auth === 'cbs') await putToken(connection, target);
  return {
    connection,
    close: () =>
      new Promise<void>((resolve) => {
        if (!connection.is_open()) return resolve();
        const t = setTimeout(resolve, 2000);
        connection.once('connection_close', () => {
          clearTimeout(t);
          resolve();
        });
        connection.once('disconnected', () => {
          clearTimeout(t);
          resolve();
        });
        connection.close();
      }),
  };
}

async function putToken(connection: any, target: AmqpTarget): Promise<void> {
  const replyTo = 'cbs-reply-bench';
  const receiver = connection.open_receiver({ source: { address: '$cbs' }, target: { address: replyTo }, name: replyTo });
  const sender = connection.open_sender({ target: { address: '$cbs' } });
  await once(sender, 'sendable');
  const audience = `sb://localhost:${target.port}/`;
  const token = sasToken(audience, target.keyName ?? 'RootManageSharedAccessKey', target.key ?? 'SAS_KEY_VALUE', Math.floor(Date.now() / 1000) + 3 * 3600);
  const response = once<any>(receiver, 'message');
  sender.send({
    message_id: 'put-token-1',
    reply_to: replyTo,
    application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: audience },
    body: token,
  });
  const res = (await response).message;
  const status = res.application_properties?.['status-code'];
  if (status !== 202 && status !== 200) throw new Error(`CBS put-token answered ${status}: ${res.application_properties?.['status-description']}`);
  sender.close();
  receiver.close();
}

/** One pre-encoded message: a single data section of `size` bytes (what SDKs send for bytes). */
export function encodedMessage(size: number, extra: Record<string, unknown> = {}): Buffer {
  const body = Buffer.alloc(size, 0x61);
  return rhea.message.encode({ ...extra, body: rhea.message.data_section(body) }) as Buffer;
}

export interface PhaseResult {
  count: number;
  ms: number;
  rate: number;
  /** CPU the server's processes used during the phase, µs per message (when measured). */
  serverCpuUs?: number;
  /** CPU the client used during the phase, µs per message (when measured). */
  clientCpuUs?: number;
  /** Deliveries the peer refused (rejected/released/modified): should be 0. */
  refused?: number;
}

export async function sendAwaitAccept(
  conn: Conn,
  address: string,
  n: number,
  payload: Buffer | ((i: number) => Buffer),
  window = 1000,
  onProgress?: (accepted: number, elapsedMs: number) => boolean | void,
): Promise<PhaseResult> {
  const sender = conn.connection.open_sender({ target: { address }, autosettle: true });
  await once(sender, 'sendable', 15_000, ['sender_error', 'sender_close']);
  return new Promise<PhaseResult>((resolve, reject) => {
    let sent = 0;
    let settled = 0;
    let refused = 0;
    let stopAt = n;
    const started = performance.now();
    const pump = () => {
      while (sent < stopAt && sent - settled < window && sender.sendable()) {
        const bytes = typeof payload === 'function' ? payload(sent) : payload;
        sender.send(bytes, undefined, 0);
        sent++;
      }
    };
    const finish = () => {
      const ms = performance.now() - started;
      sender.close();
      resolve({ count: settled - refused, ms, rate: ((settled - refused) / ms) * 1000, refused });
    };
    const onSettled = (ok: boolean) => {
      settled++;
      if (!ok) refused++;
      if (onProgress && settled % 10_000 === 0 && onProgress(settled, performance.now() - started) === false) stopAt = sent;
      if (settled >= stopAt) finish();
      else pump();
    };
    sender.on('accepted', () => onSettled(true));
    for (const ev of ['rejected', 'released', 'modified']) {
      sender.on(ev, (ctx: any) => {
        if (refused === 0) process.stderr.write(`[bench] first ${ev} on ${address}: ${JSON.stringify(ctx.delivery?.remote_state?.error ?? '')}\n`);
        onSettled(false);
      });
    }
    sender.on('sendable', pump);
    sender.once('sender_error', (ctx: any) => reject(new Error(`sender_error ${JSON.stringify(ctx.sender.error)}`)));
    conn.connection.once('disconnected', () => reject(new Error('disconnected while sending')));
    pump();
  });
}

export async function receive(
  conn: Conn,
  address: string,
  n: number,
  mode: 'accept' | 'receiveAndDelete',
  creditWindow = 1000,
  idleTimeoutMs = 20_000,
): Promise<PhaseResult> {
  const receiver = conn.connection.open_receiver({
    source: { address },
    credit_window: creditWindow,
    autoaccept: mode === 'accept',
    snd_settle_mode: mode === 'receiveAndDelete' ? 1 : 0,
    rcv_settle_mode: 0,
  });
  await once(receiver, 'receiver_open', 15_000, ['receiver_error', 'receiver_close']);
  return new Promise<PhaseResult>((resolve, reject) => {
    let got = 0;
    let started = 0;
    let last = performance.now();
    const idle = setInterval(() => {
      if (performance.now() - last > idleTimeoutMs) {
        clearInterval(idle);
        receiver.close();
        reject(new Error(`receive stalled after ${got}/${n} messages on ${address}`));
      }
    }, 500);
    receiver.on('message', (ctx: any) => {
      // rhea frees a pre-settled incoming delivery only once we settle it too (else the session
      // window of 2048 fills and the flow stops).
      if (ctx.delivery.remote_settled) ctx.delivery.update(true);
      if (got === 0) started = performance.now();
      got++;
      last = performance.now();
      if (got === n) {
        clearInterval(idle);
        // Count from the first delivery: the attach and first credit are not throughput.
        const ms = performance.now() - started;
        // Let the last accept reach the peer before the link goes away.
        setImmediate(() => receiver.close());
        resolve({ count: n, ms, rate: ((n - 1) / ms) * 1000 });
      }
    });
    receiver.once('receiver_error', (ctx: any) => {
      clearInterval(idle);
      reject(new Error(`receiver_error ${JSON.stringify(ctx.receiver.error)}`));
    });
  });
}

/**
 * Send-to-receive latency at a fixed offered load: a paced sender and a credit-window receiver on
 * one connection each; the body carries the send instant. Returns latencies in ms (sorted), the
 * first `warmupMs` of traffic excluded.
 */
export async function latency(
  sendConn: Conn,
  recvConn: Conn,
  address: string,
  ratePerSec: number,
  durationMs: number,
  size = 256,
  warmupMs = 1000,
): Promise<{ sorted: number[]; offered: number; achieved: number; lost: number }> {
  const receiver = recvConn.connection.open_receiver({ source: { address }, credit_window: 1000, autoaccept: true });
  await once(receiver, 'receiver_open', 15_000, ['receiver_error']);
  const sender = sendConn.connection.open_sender({ target: { address } });
  await once(sender, 'sendable', 15_000, ['sender_error']);
  const total = Math.round((ratePerSec * (durationMs + warmupMs)) / 1000);
  const samples: number[] = [];
  let received = 0;
  const started = performance.now();
  const done = new Promise<void>((resolve) => {
    receiver.on('message', (ctx: any) => {
      const body = ctx.message.body;
      const buf: Buffer = Buffer.isBuffer(body) ? body : (body?.content ?? body?.value);
      const sentAt = buf.readDoubleLE(0);
      const now = performance.now();
      if (sentAt - started >= warmupMs) samples.push(now - sentAt);
      received++;
      if (received === total) resolve();
    });
  });
  const body = Buffer.alloc(size, 0x61);
  let sent = 0;
  let backlogged = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * ratePerSec) / 1000));
      while (sent < due) {
        if (!sender.sendable()) {
          backlogged++;
          break;
        }
        body.writeDoubleLE(performance.now(), 0);
        sender.send({ body: rhea.message.data_section(Buffer.from(body)) });
        sent++;
      }
      if (sent >= total) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
  const sendEnd = performance.now();
  await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
  sender.close();
  receiver.close();
  const sorted = samples.sort((a, b) => a - b);
  if (backlogged > 0) process.stderr.write(`[bench] latency: sender out of credit ${backlogged} times\n`);
  return { sorted, offered: ratePerSec, achieved: (sent / (sendEnd - started)) * 1000, lost: total - received };
}
