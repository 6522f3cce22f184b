/**
 * A flow whose delivery-count + link-credit is behind what the server has already sent (a
 * receiver that has not yet seen transfers in flight, as pyamqp 7.15 does when it drains with
 * link-credit 0 on close). The credit it implies is negative; rhea's drain loop never ended on
 * it and froze the whole process. The emulator runs as a child process (dist/cli.js) so a frozen
 * server fails this test instead of freezing vitest.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rhea from 'rhea';
import { generateSasToken } from '../../src/auth/sas.js';
import { assertBuilt, CLI, cleanEnv, printedPorts, READY_LINE, run, waitForOutput, type Running } from '../cli/helpers.js';
import { frames } from './rawClient.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const QUEUE = 'q';
let dir: string;
let emulator: Running;
let ports: { amqp: number; http: number };

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'sbemu-credit-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ UserConfig: { Namespaces: [{ Name: 'ns', Queues: [{ Name: QUEUE }] }] } }));
  emulator = run(process.execPath, [CLI, '--config', config, '--amqp-port', '0', '--amqps-port', 'off', '--http-port', '0', '--tls-dir', join(dir, 'tls')], {
    env: cleanEnv(),
  });
  await waitForOutput(emulator, READY_LINE);
  ports = printedPorts(emulator.stdout());
});
afterAll(async () => {
  // SIGKILL: a spinning process ignores SIGTERM.
  if (emulator && emulator.child.exitCode === null && emulator.child.signalCode === null) {
    emulator.child.kill('SIGKILL');
    await emulator.exited;
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const once = <T = any>(emitter: any, event: string, timeoutMs = 3000) =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (ctx: T) => {
      clearTimeout(t);
      resolve(ctx);
    });
  });

/** A rhea connection to the child emulator with a namespace-wide token on $cbs. */
async function connect(): Promise<any> {
  const connection: any = rhea.create_container().connect({ host: '127.0.0.1', port: ports.amqp, reconnect: false } as any);
  // The emulator is killed at the end, possibly before a close handshake finishes.
  connection.on('disconnected', () => {});
  await once(connection, 'connection_open');
  const receiver = connection.open_receiver({ source: { address: '$cbs' }, target: { address: 'cbs-reply' }, name: 'cbs-reply' });
  const sender = connection.open_sender({ target: { address: '$cbs' } });
  await once(sender, 'sendable');
  const audience = `sb://localhost:${ports.amqp}/`;
  const reply = once(receiver, 'message');
  sender.send({
    message_id: 'put',
    reply_to: 'cbs-reply',
    application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: audience },
    body: generateSasToken(audience, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', Math.floor(Date.now() / 1000) + 600),
  });
  expect((await reply).message.application_properties['status-code']).toBe(202);
  return connection;
}

async function send(connection: any, bodies: string[]): Promise<void> {
  const sender = connection.open_sender({ target: { address: QUEUE } });
  await once(sender, 'sendable');
  for (const body of bodies) {
    sender.send({ body });
    await once(sender, 'accepted');
  }
}

async function health(): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${ports.http}/health`, { signal: AbortSignal.timeout(2000) });
  return res.status;
}

describe('a flow implying negative credit', () => {
  it('is treated as zero credit: the drain is answered and the server keeps serving everyone', async () => {
    const first = await connect();
    await send(first, ['one', 'two']);
    const receiver = first.open_receiver({ source: { address: QUEUE }, credit_window: 0, autoaccept: false });
    await once(receiver, 'receiver_open');
    const received: any[] = [];
    receiver.on('message', (ctx: any) => received.push(ctx));
    receiver.add_credit(2);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${received.length} of 2 messages`)), 3000);
      const poll = setInterval(() => {
        if (received.length === 2) {
          clearTimeout(t);
          clearInterval(poll);
          resolve();
        }
      }, 10);
    });
    // The server has sent 2 transfers (its delivery-count is 2). Claim to have seen 1 and ask to
    // drain with no credit: 1 + 0 - 2 = -1.
    const session = receiver.session;
    const drained = once(receiver, 'receiver_drained');
    session.output(
      frames.flow({
        next_incoming_id: session.incoming.next_transfer_id,
        incoming_window: session.incoming.window,
        next_outgoing_id: session.outgoing.next_transfer_id,
        outgoing_window: session.outgoing.window,
        handle: receiver.local.handle,
        delivery_count: 1,
        link_credit: 0,
        drain: true,
      }),
    );
    // The drain is answered: no credit left, the delivery-count the server really has.
    await drained;
    expect(receiver.delivery_count).toBe(2);
    expect(receiver.credit).toBe(0);

    expect(await health()).toBe(200);
    const second = await connect();
    await send(second, ['three']);
    const other = second.open_receiver({ source: { address: QUEUE }, credit_window: 0, autoaccept: false, rcv_settle_mode: 1 });
    other.add_credit(1);
    const got = await once(other, 'message');
    expect(got.message.body).toBe('three');
    got.delivery.accept();
    await once(other, 'settled');
    second.close();
    first.close();
    expect(await health()).toBe(200);
  });
});
