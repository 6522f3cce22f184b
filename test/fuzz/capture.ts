/**
 * The fuzz corpus: what the official JS SDK really writes. A small TCP proxy sits between
 * @azure/service-bus and the emulator and records every client-to-server byte, one stream per
 * connection, while each scenario below runs on its own ServiceBusClient (so its own connection).
 * Each stream is then split into protocol headers and frames.
 *
 * Captured on every run rather than committed: the CBS put-token inside each stream is a SAS
 * token that expires (a committed corpus would replay as "unauthorized" and never reach the links
 * behind it), and a capture always matches the SDK version in package-lock.json. It takes about
 * two seconds. `npm run fuzz -- --save-corpus f.json` / `--corpus f.json` keeps one for replaying a
 * failure with the same seed.
 */
import net, { type AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { ServiceBusClient } from '@azure/service-bus';
import { connectionString, FUZZ } from './entities.js';

export interface Unit {
  kind: 'header' | 'frame';
  bytes: Buffer;
}

export interface CapturedConnection {
  scenario: string;
  units: Unit[];
}

/** Splits a client's byte stream into 8-byte protocol headers and size-prefixed frames. */
export function splitStream(stream: Buffer): Unit[] {
  const units: Unit[] = [];
  let pos = 0;
  while (pos + 8 <= stream.length) {
    if (stream.toString('latin1', pos, pos + 4) === 'AMQP') {
      units.push({ kind: 'header', bytes: stream.subarray(pos, pos + 8) });
      pos += 8;
      continue;
    }
    const size = stream.readUInt32BE(pos);
    if (size < 8 || pos + size > stream.length) break; // a stream cut mid-frame: drop the rest
    units.push({ kind: 'frame', bytes: stream.subarray(pos, pos + size) });
    pos += size;
  }
  return units;
}

/** Forwards connections to `target`, keeping what each client wrote. */
async function startProxy(targetPort: number) {
  const streams: { chunks: Buffer[]; closed: Promise<void> }[] = [];
  const server = net.createServer((client) => {
    const chunks: Buffer[] = [];
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    streams.push({ chunks, closed });
    client.on('data', (d: Buffer) => {
      chunks.push(Buffer.from(d));
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => client.write(d));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    streams,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

type Scenario = (sb: ServiceBusClient) => Promise<void>;

const wait = { maxWaitTimeInMs: 3000 };

/**
 * What the corpus covers: each scenario is one connection. They run in order, since later ones
 * receive what earlier ones sent; every message ends up settled or dead-lettered and drained.
 */
export const SCENARIOS: Record<string, Scenario> = {
  async send(sb) {
    const sender = sb.createSender(FUZZ.queue);
    await sender.sendMessages({
      body: { order: 1, note: 'héllo wörld' },
      messageId: 'fuzz-1',
      subject: 'subject',
      correlationId: 'corr',
      contentType: 'application/json',
      timeToLive: 60_000,
      applicationProperties: { a: 1, b: 'two', c: true, d: 1.5, e: new Date(0) },
    });
    const batch = await sender.createMessageBatch();
    for (const body of ['b1', 'b2', Buffer.from([1, 2, 3])]) batch.tryAddMessage({ body });
    await sender.sendMessages(batch);
    const [seq] = await sender.scheduleMessages({ body: 'later' }, new Date(Date.now() + 30_000));
    await sender.cancelScheduledMessages(seq!);
    await sender.close();
  },
  async settle(sb) {
    const receiver = sb.createReceiver(FUZZ.queue);
    const got = await receiver.receiveMessages(4, wait);
    const [m1, m2, m3, m4] = got;
    if (!m1 || !m2 || !m3 || !m4) throw new Error(`capture: settle scenario received ${got.length} of 4 messages`);
    await receiver.renewMessageLock(m1);
    await receiver.completeMessage(m1);
    await receiver.abandonMessage(m2, { abandoned: 'yes' });
    await receiver.deferMessage(m3);
    await receiver.deadLetterMessage(m4, { deadLetterReason: 'fuzz', deadLetterErrorDescription: 'captured' });
    const [deferred] = await receiver.receiveDeferredMessages([m3.sequenceNumber!]);
    if (deferred) await receiver.completeMessage(deferred);
    await receiver.peekMessages(5);
    const [again] = await receiver.receiveMessages(1, wait);
    if (again) await receiver.completeMessage(again);
    await receiver.close();
  },
  async receiveAndDelete(sb) {
    const sender = sb.createSender(FUZZ.queue);
    await sender.sendMessages([{ body: 'rd1' }, { body: 'rd2' }]);
    await sender.close();
    const receiver = sb.createReceiver(FUZZ.queue, { receiveMode: 'receiveAndDelete' });
    await receiver.receiveMessages(2, wait);
    await receiver.close();
    const dlq = sb.createReceiver(FUZZ.queue, { subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete' });
    await dlq.receiveMessages(1, wait);
    await dlq.close();
  },
  async sessions(sb) {
    const sender = sb.createSender(FUZZ.sessionQueue);
    await sender.sendMessages([
      { body: 's1', sessionId: 'fuzz-a' },
      { body: 's2', sessionId: 'fuzz-b' },
    ]);
    await sender.close();
    const named = await sb.acceptSession(FUZZ.sessionQueue, 'fuzz-a');
    await named.setSessionState('state');
    await named.getSessionState();
    await named.renewSessionLock();
    for (const m of await named.receiveMessages(1, wait)) await named.completeMessage(m);
    await named.close();
    const next = await sb.acceptNextSession(FUZZ.sessionQueue, { maxAutoLockRenewalDurationInMs: 0 });
    for (const m of await next.receiveMessages(1, wait)) await next.completeMessage(m);
    await next.close();
  },
  async topic(sb) {
    const sender = sb.createSender(FUZZ.topic);
    await sender.sendMessages({ body: 't1', applicationProperties: { kind: 'topic' } });
    await sender.close();
    const receiver = sb.createReceiver(FUZZ.topic, FUZZ.subscription);
    for (const m of await receiver.receiveMessages(1, wait)) await receiver.completeMessage(m);
    await receiver.close();
  },
};

/** Runs every scenario through a recording proxy in front of the emulator on `emulatorPort`. */
export async function captureCorpus(emulatorPort: number): Promise<CapturedConnection[]> {
  const proxy = await startProxy(emulatorPort);
  const corpus: CapturedConnection[] = [];
  try {
    for (const [scenario, run] of Object.entries(SCENARIOS)) {
      const first = proxy.streams.length;
      const sb = new ServiceBusClient(connectionString(proxy.port), { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 } });
      try {
        await run(sb);
      } finally {
        await sb.close();
      }
      const streams = proxy.streams.slice(first);
      await Promise.all(streams.map((s) => s.closed));
      for (const s of streams) {
        const units = splitStream(Buffer.concat(s.chunks));
        if (units.length > 2) corpus.push({ scenario, units });
      }
    }
  } finally {
    await proxy.close();
  }
  if (corpus.length === 0) throw new Error('capture: no connection was recorded');
  return corpus;
}

export function saveCorpus(file: string, corpus: CapturedConnection[]): void {
  const json = corpus.map((c) => ({ scenario: c.scenario, units: c.units.map((u) => ({ kind: u.kind, hex: u.bytes.toString('hex') })) }));
  writeFileSync(file, JSON.stringify(json));
}

export function loadCorpus(file: string): CapturedConnection[] {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { scenario: string; units: { kind: Unit['kind']; hex: string }[] }[];
  return json.map((c) => ({ scenario: c.scenario, units: c.units.map((u) => ({ kind: u.kind, bytes: Buffer.from(u.hex, 'hex') })) }));
}

export function frameCount(corpus: CapturedConnection[]): number {
  return corpus.reduce((n, c) => n + c.units.filter((u) => u.kind === 'frame').length, 0);
}
