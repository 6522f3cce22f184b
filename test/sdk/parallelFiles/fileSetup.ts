/**
 * What each of the two files does: take a namespace of its own, make an "orders" queue in it with
 * the official admin client, wait until the other file is running too, then work the queue.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ServiceBusAdministrationClient, ServiceBusClient } from '@azure/service-bus';
import { expect } from 'vitest';

const port = process.env.SBEMU_HTTP_PORT;
const meeting = process.env.SBEMU_MEETING_DIR!;
const ROOT = `Basic ${Buffer.from('RootManageSharedAccessKey:SAS_KEY_VALUE').toString('base64')}`;

export interface Namespace {
  name: string;
  keyName: string;
  key: string;
  connectionString: string;
  adminConnectionString: string;
}

export async function ownNamespace(): Promise<Namespace> {
  const r = await fetch(`http://localhost:${port}/emulator/namespaces`, { method: 'POST', headers: { authorization: ROOT } });
  expect(r.status).toBe(201);
  const ns = (await r.json()) as Namespace;
  await new ServiceBusAdministrationClient(ns.adminConnectionString).createQueue('orders', { requiresSession: true });
  return ns;
}

export const dropNamespace = (ns: Namespace) =>
  fetch(`http://localhost:${port}/emulator/namespaces/${ns.name}`, { method: 'DELETE', headers: { authorization: ROOT } });

/** Returns once the other file has reached this point too: both are running at the same time. */
export async function meetTheOther(me: string, other: string): Promise<void> {
  writeFileSync(path.join(meeting, me), '');
  const until = Date.now() + 20_000;
  while (!existsSync(path.join(meeting, other))) {
    if (Date.now() > until) throw new Error(`${other} never started: the files did not run in parallel`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends `count` messages over 4 sessions tagged with `tag`, receives them all, checks order and ownership. */
export async function workTheQueue(ns: Namespace, tag: string, count: number): Promise<void> {
  const client = new ServiceBusClient(ns.connectionString);
  try {
    const sender = client.createSender('orders');
    for (let i = 0; i < count; i += 50) {
      await sender.sendMessages(Array.from({ length: Math.min(50, count - i) }, (_, k) => ({ body: `${tag}-${i + k}`, sessionId: `s${(i + k) % 4}`, applicationProperties: { n: i + k } })));
    }
    const seen: number[] = [];
    for (let s = 0; s < 4; s++) {
      const receiver = await client.acceptSession('orders', `s${s}`, { receiveMode: 'receiveAndDelete' });
      const got: number[] = [];
      while (got.length < count / 4) {
        const batch = await receiver.receiveMessages(100, { maxWaitTimeInMs: 1000 });
        for (const m of batch) {
          expect(m.body).toBe(`${tag}-${m.applicationProperties!.n}`);
          got.push(m.applicationProperties!.n as number);
        }
        if (batch.length === 0) break;
      }
      // Per session, the order they were sent in.
      expect(got).toEqual([...got].sort((a, b) => a - b));
      seen.push(...got);
      await receiver.close();
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    // The journal the namespace's own key reads holds this file's messages only.
    const auth = `Basic ${Buffer.from(`${ns.keyName}:${ns.key}`).toString('base64')}`;
    const journal = (await (await fetch(`http://localhost:${port}/emulator/journal?entity=orders`, { headers: { authorization: auth } })).json()) as { events: { type: string }[] };
    expect(journal.events.filter((e) => e.type === 'enqueued')).toHaveLength(count);
  } finally {
    await client.close();
  }
}
