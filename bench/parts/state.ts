/**
 * Footprint with a large backlog, and how operations scale with the size of the state:
 * - RSS with 1,000,000 queued 256-byte messages, sent over AMQP (falls back to in-process sends
 *   for the rest when AMQP would take longer than the budget; the result says how many went which way);
 * - accept-next-session latency with 10 / 1,000 / 100,000 sessions (state built in-process,
 *   accepts over AMQP with a raw rhea client: attach with a null session filter → attach reply);
 * - peek and receive-by-sequence-number (deferred messages) with 1,000,000 messages in the entity
 *   (state in-process, operations over AMQP with the official SDK's $management calls).
 */
import { performance } from 'node:perf_hooks';
import { ServiceBusClient } from '@azure/service-bus';
import Long from 'long';
import { connect, encodedMessage, sendAwaitAccept } from '../lib/amqp.js';
import { startEmulatorChild } from '../lib/child.js';
import { log, mb, percentile, rssOf } from '../lib/util.js';

export interface MemoryResult {
  messages: number;
  size: number;
  viaAmqp: number;
  inProcess: number;
  amqpRate: number;
  idleRssMb: number;
  rssMb: number;
  heapUsedMb: number;
  bytesPerMessage: number;
}

export async function memoryWithBacklog(count: number, size: number, amqpBudgetMs: number): Promise<MemoryResult> {
  const child = await startEmulatorChild();
  try {
    await child.call('createQueue', { name: 'bench-fill', properties: { maxSizeInMegabytes: 81920 } });
    const idle = await child.call<{ rss: number }>('memory');
    const conn = await connect(child.target);
    const payload = encodedMessage(size);
    let stoppedEarly = false;
    const r = await sendAwaitAccept(conn, 'bench-fill', count, payload, 5000, (done, ms) => {
      const projected = (ms / done) * count;
      if (projected > amqpBudgetMs && ms > 5000) {
        stoppedEarly = true;
        return false;
      }
      return true;
    });
    await conn.close();
    const viaAmqp = r.count;
    const rest = count - viaAmqp;
    if (rest > 0) {
      log(`memory: AMQP would take ${Math.round((r.ms / viaAmqp) * count / 1000)} s; ${viaAmqp} sent over AMQP, ${rest} in-process`);
      await child.call('fill', { queue: 'bench-fill', count: rest, size });
    }
    const rt = await child.call<{ activeMessageCount: number }>('runtime', { queue: 'bench-fill' });
    const m = await child.call<{ rss: number; heapUsed: number }>('memory');
    const rssNow = Math.max(m.rss, rssOf(child.pid));
    const result: MemoryResult = {
      messages: rt.activeMessageCount,
      size,
      viaAmqp,
      inProcess: rest,
      amqpRate: r.rate,
      idleRssMb: mb(idle.rss),
      rssMb: mb(rssNow),
      heapUsedMb: mb(m.heapUsed),
      bytesPerMessage: Math.round((rssNow - idle.rss) / Math.max(1, rt.activeMessageCount)),
    };
    log(`memory: ${result.messages} × ${size} B queued: RSS ${result.rssMb} MB (idle ${result.idleRssMb} MB), ${result.bytesPerMessage} B/message${stoppedEarly ? '' : ', all over AMQP'}`);
    return result;
  } finally {
    await child.stop();
  }
}

export interface LatencyStats {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

function stats(values: number[]): LatencyStats {
  const s = [...values].sort((a, b) => a - b);
  return { samples: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

export interface ScalingResult {
  acceptNextSession: { sessions: number; ms: LatencyStats }[];
  peek: { messages: number; from: number; ms: LatencyStats }[];
  receiveBySequenceNumber: { messages: number; ms: LatencyStats };
  buildMs: Record<string, number>;
}

export async function scaling(sessionCounts: number[], bigCount: number): Promise<ScalingResult> {
  const child = await startEmulatorChild();
  const buildMs: Record<string, number> = {};
  try {
    // ---- accept-next-session
    const acceptNextSession: ScalingResult['acceptNextSession'] = [];
    for (const k of sessionCounts) {
      const queue = `scale-sessions-${k}`;
      await child.call('createQueue', { name: queue, properties: { requiresSession: true, maxSizeInMegabytes: 81920 } });
      buildMs[queue] = (await child.call<{ ms: number }>('fill', { queue, count: k, size: 64, sessions: k })).ms;
      const conn = await connect(child.target);
      const times: number[] = [];
      // Hold each accepted session so the next accept must find another; release and go again.
      const perRound = Math.min(k, 50);
      for (let round = 0; round < 4; round++) {
        const links: any[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
        for (let i = 0; i < perRound; i++) {
          const t = performance.now();
          const link = conn.connection.open_receiver({
            source: { address: queue, filter: { 'com.microsoft:session-filter': null } },
            credit_window: 0,
            autoaccept: false,
            properties: { 'com.microsoft:timeout': 5000 },
          });
          await new Promise<void>((resolve, reject) => {
            link.once('receiver_open', () => resolve());
            link.once('receiver_error', () => reject(new Error(`accept-next-session refused: ${JSON.stringify(link.error)}`)));
          });
          times.push(performance.now() - t);
          links.push(link);
        }
        await Promise.all(
          links.map(
            (l) =>
              new Promise<void>((resolve) => {
                l.once('receiver_close', () => resolve());
                l.close();
              }),
          ),
        );
      }
      await conn.close();
      const s = stats(times.slice(perRound)); // first round warms up
      acceptNextSession.push({ sessions: k, ms: s });
      log(`scaling: accept-next-session with ${k} sessions: p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms (build ${Math.round(buildMs[queue]!)} ms)`);
    }

    // ---- peek and receive-by-sequence-number with bigCount messages
    const queue = 'scale-big';
    await child.call('createQueue', { name: queue, properties: { maxSizeInMegabytes: 81920 } });
    const deferredCount = 1000;
    await child.call('fill', { queue, count: deferredCount, size: 256 });
    const { sequenceNumbers } = await child.call<{ sequenceNumbers: number[] }>('deferFirst', { queue, count: deferredCount });
    buildMs[queue] = (await child.call<{ ms: number }>('fill', { queue, count: bigCount, size: 256 })).ms;
    const total = deferredCount + bigCount;
    const client = new ServiceBusClient(child.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 30_000 } });
    const peek: ScalingResult['peek'] = [];
    let receiveBySequenceNumber: ScalingResult['receiveBySequenceNumber'];
    try {
      const peeker = client.createReceiver(queue);
      await peeker.peekMessages(1, { fromSequenceNumber: Long.fromNumber(1) }); // link setup
      for (const from of [1, Math.floor(total / 2), total - 10]) {
        const times: number[] = [];
        for (let i = 0; i < 20; i++) {
          const t = performance.now();
          const msgs = await peeker.peekMessages(10, { fromSequenceNumber: Long.fromNumber(from) });
          times.push(performance.now() - t);
          if (msgs.length === 0) throw new Error(`peek from ${from} returned nothing`);
        }
        const s = stats(times);
        peek.push({ messages: total, from, ms: s });
        log(`scaling: peek 10 from #${from} of ${total}: p50 ${s.p50.toFixed(2)} ms`);
      }
      const rd = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
      await rd.receiveDeferredMessages([Long.fromNumber(sequenceNumbers[0]!)]);
      const times: number[] = [];
      for (const sn of sequenceNumbers.slice(1, 201)) {
        const t = performance.now();
        const got = await rd.receiveDeferredMessages([Long.fromNumber(sn)]);
        times.push(performance.now() - t);
        if (got.length !== 1) throw new Error(`receive-by-sequence-number ${sn} returned ${got.length}`);
      }
      receiveBySequenceNumber = { messages: total, ms: stats(times) };
      log(`scaling: receive-by-sequence-number with ${total} messages: p50 ${receiveBySequenceNumber.ms.p50.toFixed(2)} ms`);
    } finally {
      await client.close();
    }
    return { acceptNextSession, peek, receiveBySequenceNumber, buildMs };
  } finally {
    await child.stop();
  }
}
