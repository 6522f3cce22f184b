/**
 * Sessions with the official SDK (@azure/service-bus): S sessions × M messages sent in batches,
 * interleaved across sessions (message i of every session, then i+1...), then K concurrent
 * session receivers each looping acceptNextSession → receiveMessages until the session's M
 * messages are in → completeMessage each → close. Checks that every session arrived in order,
 * complete, and that no session was held by two receivers at once.
 */
import { performance } from 'node:perf_hooks';
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { log } from '../lib/util.js';

export interface SessionsRow {
  system: string;
  receivers: number;
  sessions: number;
  perSession: number;
  sendRate: number;
  receiveRate: number;
  receiveMs: number;
  orderOk: boolean;
  problems: string[];
  /** Time per session spent in each SDK call, summed over receivers (where the time goes). */
  perSessionMs?: Record<string, number>;
}

export async function sessionsSdk(
  connectionString: string,
  queue: string,
  receivers: number,
  sessions: number,
  perSession: number,
): Promise<SessionsRow> {
  const client = new ServiceBusClient(connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 5000 } });
  const problems: string[] = [];
  try {
    // ---- send
    const sender = client.createSender(queue);
    const all: ServiceBusMessage[] = [];
    for (let i = 0; i < perSession; i++) {
      for (let s = 0; s < sessions; s++) all.push({ body: { s, i }, sessionId: `s-${s}`, applicationProperties: { i } });
    }
    const sendStart = performance.now();
    let batch = await sender.createMessageBatch();
    const batches: (typeof batch)[] = [];
    for (const m of all) {
      if (!batch.tryAddMessage(m)) {
        batches.push(batch);
        batch = await sender.createMessageBatch();
        if (!batch.tryAddMessage(m)) throw new Error('message does not fit an empty batch');
      }
    }
    if (batch.count > 0) batches.push(batch);
    // Batches go out in order, 4 at a time; each batch keeps its messages' order, and a session's
    // message i+1 is always in a later batch than message i only if the batches are sequential:
    // so send sequentially to keep per-session order meaningful.
    for (const b of batches) await sender.sendMessages(b);
    const sendMs = performance.now() - sendStart;
    await sender.close();

    // ---- receive
    const phase = { accept: 0, receive: 0, receiveCalls: 0, complete: 0, close: 0 };
    const held = new Set<string>();
    const seen = new Map<string, number>();
    let completedSessions = 0;
    let received = 0;
    let stopping = false;
    const recvStart = performance.now();
    let recvEnd = 0;
    const worker = async (w: number) => {
      while (!stopping && completedSessions < sessions) {
        let receiver;
        const t0 = performance.now();
        try {
          receiver = await client.acceptNextSession(queue, { receiveMode: 'peekLock', maxAutoLockRenewalDurationInMs: 0 });
        } catch (e) {
          if (stopping || completedSessions >= sessions) return;
          const code = (e as { code?: string }).code;
          if (code === 'SessionCannotBeLockedError' || code === 'ServiceTimeout' || /timed? ?out/i.test(String(e))) continue;
          problems.push(`worker ${w}: acceptNextSession: ${String(e).slice(0, 200)}`);
          return;
        }
        const t1 = performance.now();
        phase.accept += t1 - t0;
        const sid = receiver.sessionId;
        if (held.has(sid)) problems.push(`session ${sid} held twice at once`);
        held.add(sid);
        let got = seen.get(sid) ?? 0;
        try {
          while (got < perSession) {
            const tr = performance.now();
            const msgs = await receiver.receiveMessages(perSession - got, { maxWaitTimeInMs: 3000 });
            phase.receive += performance.now() - tr;
            phase.receiveCalls++;
            if (msgs.length === 0) {
              problems.push(`session ${sid}: nothing more after ${got}/${perSession}`);
              break;
            }
            for (const m of msgs) {
              const i = (m.applicationProperties?.i as number) ?? -1;
              if (i !== got) problems.push(`session ${sid}: got message ${i}, expected ${got}`);
              got++;
            }
            const tc = performance.now();
            await Promise.all(msgs.map((m) => receiver.completeMessage(m)));
            phase.complete += performance.now() - tc;
            received += msgs.length;
          }
        } catch (e) {
          problems.push(`session ${sid}: ${String(e).slice(0, 200)}`);
        } finally {
          seen.set(sid, got);
          held.delete(sid);
          const tx = performance.now();
          await receiver.close().catch(() => {});
          phase.close += performance.now() - tx;
        }
        if (got >= perSession) {
          completedSessions++;
          if (completedSessions === sessions) recvEnd = performance.now();
        }
      }
    };
    const workers = Array.from({ length: receivers }, (_, w) => worker(w));
    // Workers still waiting in acceptNextSession when the last session completes end with the client.
    const deadline = performance.now() + 240_000;
    while (completedSessions < sessions && problems.length < 20 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      if (received === 0 && performance.now() - recvStart > 60_000) break;
    }
    stopping = true;
    if (recvEnd === 0) {
      recvEnd = performance.now();
      problems.push(`only ${completedSessions}/${sessions} sessions completed (${received} messages)`);
    }
    await Promise.race([Promise.allSettled(workers), new Promise((r) => setTimeout(r, 6000))]);
    const receiveMs = recvEnd - recvStart;
    const perSessionMs = Object.fromEntries(Object.entries(phase).map(([k, v]) => [k, Math.round((v / Math.max(1, completedSessions)) * 100) / 100]));
    const row: SessionsRow = {
      system: 'emulator (SDK)',
      receivers,
      sessions,
      perSession,
      sendRate: (all.length / sendMs) * 1000,
      receiveRate: (received / receiveMs) * 1000,
      receiveMs,
      orderOk: problems.length === 0 && received === all.length,
      problems: problems.slice(0, 10),
      perSessionMs,
    };
    log(
      `sessions (SDK) ${receivers} receivers: send ${Math.round(row.sendRate)}/s, receive ${Math.round(row.receiveRate)}/s, ` +
        `order ${row.orderOk ? 'ok' : 'BROKEN: ' + row.problems.slice(0, 3).join('; ')}`,
    );
    return row;
  } finally {
    await client.close().catch(() => {});
  }
}
