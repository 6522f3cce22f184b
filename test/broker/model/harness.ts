/**
 * Drives the broker and the reference model with the same random operations and compares them
 * after every step: return values, error codes, runtime counts, peeked contents, dead-letter
 * reasons, delivery counts and per-session delivery order. Shared by the vitest property test
 * and the long-run script.
 */
import { type Broker, FakeClock, isBrokerError, type Receiver, type SessionReceiver, type StoredMessage } from '../../../src/broker/index.js';
import { FOLLOWED, MESSAGE_SIZE, type MEntity, type MMsg, Model, ModelError, type MReceiver, type Props } from './model.js';
import type { Op } from './ops.js';
import { CONFIGS, createBroker, DUPLICATE_WINDOW_MS, SESSION_ENTITIES, SIDS, SUBJECTS, TOPIC } from './topology.js';

export type { Op } from './ops.js';
export { opArb } from './ops.js';

const START = Date.UTC(2025, 0, 1);

interface Token {
  token: string;
  e: number;
  dlq: boolean;
  sid?: string;
}

interface Pair {
  m: MReceiver;
  real: Receiver | SessionReceiver;
  lost: string[];
}

interface Result {
  ok: boolean;
  value?: unknown;
  code?: string;
}

function codeOf(run: () => unknown): Result {
  try {
    return { ok: true, value: run() };
  } catch (err) {
    if (err instanceof ModelError) return { ok: false, code: err.code };
    if (isBrokerError(err)) return { ok: false, code: err.code };
    throw err;
  }
}

function fail(step: number, op: Op, what: string): never {
  throw new Error(`step ${step} ${JSON.stringify(op)}: ${what}`);
}

/** The followed application properties as the message now has them (rule actions applied). */
function followed(read: (k: keyof Props) => unknown): Partial<Props> {
  const out: Record<string, unknown> = {};
  for (const k of FOLLOWED) {
    const v = read(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
const view = (m: StoredMessage) => ({
  seq: m.sequenceNumber,
  dc: m.deliveryCount,
  sid: m.sessionId,
  state: m.state,
  body: m.payload,
  subject: m.subject,
  props: followed((k) => (m.propertyChanges?.has(k) ? m.propertyChanges.get(k) : m.applicationProperties[k])),
});
const mview = (m: MMsg) => ({ seq: m.seq, dc: m.dc, sid: m.sid, state: Model.reportedState(m), body: m.body, subject: m.subject, props: followed((k) => m.props[k]) });

/** Runs one sequence; throws with a readable message on the first disagreement. Returns ops run. */
export function runSequence(ops: Op[], fullCompareEvery = 1): number {
  const clock = new FakeClock(START);
  const broker = createBroker(clock);
  const model = new Model(START, CONFIGS, DUPLICATE_WINDOW_MS);
  const scheduledOnTopic: number[] = [];
  const pairs: Pair[] = [];
  const tokens: Token[] = [];
  const deferredSeqs: [number, number][] = [];
  const scheduledSeqs: [number, number][] = [];
  const firstDelivered = new Map<string, number>();
  const delivered = new Set<number>();
  let body = 0;
  const path = (e: number, dlq: boolean) => (dlq ? `${CONFIGS[e]!.name}/$DeadLetterQueue` : CONFIGS[e]!.name);

  const same = (step: number, op: Op, what: string, real: unknown, expected: unknown) => {
    const a = JSON.stringify(real);
    const b = JSON.stringify(expected);
    if (a !== b) fail(step, op, `${what}: broker ${a} vs model ${b}`);
  };
  const sameOutcome = (step: number, op: Op, r: Result, m: Result) => {
    if (r.ok !== m.ok || (!r.ok && r.code !== m.code)) fail(step, op, `outcome: broker ${JSON.stringify(r)} vs model ${JSON.stringify(m)}`);
  };
  const checkDeliveries = (step: number, op: Op, got: StoredMessage[], expected: MMsg[], e: number, dlq: boolean) => {
    same(step, op, 'delivered', got.map(view), expected.map(mview));
    for (const m of got) {
      // Scheduled messages join their session when due, not when sent; they are outside this check.
      if (dlq || m.sessionId === undefined || CONFIGS[e]!.sessions === false || m.state !== 'active' || m.scheduledEnqueueTimeUtc !== undefined) continue;
      if (delivered.has(m.payload as number)) continue;
      delivered.add(m.payload as number);
      // Per-session first deliveries come in send (sequence) order; a session is an entity's own.
      const session = `${CONFIGS[e]!.name}:${m.sessionId}`;
      const last = firstDelivered.get(session) ?? 0;
      if (m.sequenceNumber <= last) fail(step, op, `session ${session} first-delivered ${m.sequenceNumber} after ${last}`);
      firstDelivered.set(session, m.sequenceNumber);
    }
  };

  ops.forEach((op, step) => {
    switch (op.k) {
      case 'send': {
        const e = model.entities[op.e]!;
        const sid = e.cfg.sessions ? SIDS[op.sid] : undefined;
        const bodies = Array.from({ length: op.n }, () => body++);
        const seqs = broker.send(
          e.cfg.name,
          bodies.map((b) => ({
            payload: b,
            size: MESSAGE_SIZE,
            sessionId: sid,
            timeToLiveMs: op.ttl,
            scheduledEnqueueTimeUtc: op.delay === undefined ? undefined : clock.now() + op.delay,
          })),
        );
        same(step, op, 'sequence numbers', seqs, model.send(e, bodies, sid, op.ttl, op.delay));
        if (op.delay !== undefined) scheduledSeqs.push(...seqs.map((s): [number, number] => [op.e, s]));
        break;
      }
      case 'publish': {
        const sid = op.sid < SIDS.length ? SIDS[op.sid] : undefined;
        const subject = SUBJECTS[op.subject]!;
        const mid = op.mid === undefined ? undefined : `m${op.mid}`;
        const bodies = Array.from({ length: op.n }, () => body++);
        const seqs = broker.send(
          TOPIC,
          bodies.map((b) => ({
            payload: b,
            size: MESSAGE_SIZE,
            sessionId: sid,
            subject,
            applicationProperties: { n: op.num },
            ...(mid === undefined ? {} : { messageId: mid }),
            timeToLiveMs: op.ttl,
            scheduledEnqueueTimeUtc: op.delay === undefined ? undefined : clock.now() + op.delay,
          })),
        );
        same(step, op, 'topic sequence numbers', seqs, model.publish(bodies, sid, subject, { n: op.num }, mid, op.ttl, op.delay));
        if (op.delay !== undefined) scheduledOnTopic.push(...seqs);
        break;
      }
      case 'open': {
        const m = codeOf(() => model.openReceiver(model.entities[op.e]!, op.dlq, op.rad ? 'receiveAndDelete' : 'peekLock'));
        const r = codeOf(() => broker.openReceiver(path(op.e, op.dlq), { mode: op.rad ? 'receiveAndDelete' : 'peekLock' }));
        sameOutcome(step, op, r, m);
        if (m.ok) pairs.push({ m: m.value as MReceiver, real: r.value as Receiver, lost: [] });
        break;
      }
      case 'accept': {
        const e = model.entities[SESSION_ENTITIES[op.se]!]!;
        const mode = op.rad ? 'receiveAndDelete' : 'peekLock';
        const lost: string[] = [];
        const onSessionLockLost = (err: { code: string }) => lost.push(err.code);
        if (op.sid !== undefined) {
          const sid = SIDS[op.sid]!;
          const r = codeOf(() => broker.acceptSession(e.cfg.name, sid, { mode, onSessionLockLost }));
          const m = codeOf(() => model.acceptSession(e, sid, mode));
          sameOutcome(step, op, r, m);
          if (m.ok) pairs.push({ m: m.value as MReceiver, real: r.value as SessionReceiver, lost });
        } else {
          let got: SessionReceiver | undefined;
          let error: string | undefined;
          let calls = 0;
          broker.acceptNextSession(e.cfg.name, { mode, timeoutMs: 0, onSessionLockLost }, (err, rcv) => {
            calls++;
            error = err?.code;
            got = rcv;
          });
          if (calls !== 1) fail(step, op, `acceptNextSession called done ${calls} times`);
          const m = codeOf(() => model.acceptNext(e, got?.sessionId, mode));
          sameOutcome(step, op, error === undefined ? { ok: true, value: got } : { ok: false, code: error }, m);
          if (m.ok) pairs.push({ m: m.value as MReceiver, real: got!, lost });
        }
        break;
      }
      case 'recv': {
        if (pairs.length === 0) break;
        const p = pairs[op.r % pairs.length]!;
        const e = CONFIGS.findIndex((c) => c.name === p.m.entity.cfg.name);
        const r = codeOf(() => p.real.receive(op.max));
        const got = r.ok ? (r.value as StoredMessage[]) : [];
        const m = codeOf(() => model.receive(p.m, op.max, got.map((x) => x.lockToken)));
        sameOutcome(step, op, r, m);
        if (!r.ok) break;
        checkDeliveries(step, op, got, m.value as MMsg[], e, p.m.dlq);
        for (const x of got) {
          if (x.lockToken !== undefined) tokens.push({ token: x.lockToken, e, dlq: p.m.dlq, sid: p.m.dlq ? undefined : x.sessionId });
          if (p.m.mode === 'peekLock' && x.lockedUntilUtc === undefined) fail(step, op, 'peek-lock delivery without lockedUntilUtc');
        }
        break;
      }
      case 'settle': {
        if (tokens.length === 0) break;
        const t = tokens[op.t % tokens.length]!;
        const e = model.entities[t.e]!;
        const via = op.viaSession && t.sid !== undefined && e.cfg.sessions ? t.sid : undefined;
        const opts = via === undefined ? undefined : { sessionId: via };
        const p = path(t.e, t.dlq);
        const seqBefore = e.main.concat(e.dlq).find((x) => x.token === t.token)?.seq;
        const r = codeOf(() => {
          switch (op.how) {
            case 'complete':
              return broker.complete(p, t.token, opts);
            case 'abandon':
              return broker.abandon(p, t.token, undefined, opts);
            case 'defer':
              return broker.defer(p, t.token, undefined, opts);
            case 'deadLetter':
              return broker.deadLetter(p, t.token, { reason: 'ModelReason', description: 'from the model test' }, opts);
            case 'release':
              return broker.release(p, t.token, opts);
            case 'renew':
              return broker.renewLock(p, [t.token], opts)[0];
          }
        });
        const m = codeOf(() => model.settle(e, t.dlq, op.how, t.token, via));
        sameOutcome(step, op, r, m);
        if (r.ok && op.how === 'renew') same(step, op, 'renewed until', r.value, m.value);
        if (r.ok && op.how === 'defer' && seqBefore !== undefined) deferredSeqs.push([t.e, seqBefore]);
        break;
      }
      case 'close': {
        if (pairs.length === 0) break;
        const p = pairs[op.r % pairs.length]!;
        p.real.close();
        model.close(p.m);
        if (!p.real.closed) fail(step, op, 'receiver not closed');
        break;
      }
      case 'renewSession': {
        const sessionPairs = pairs.filter((p) => p.m.sid !== undefined);
        if (sessionPairs.length === 0) break;
        const p = sessionPairs[op.r % sessionPairs.length]!;
        const r = codeOf(() => (p.real as SessionReceiver).renewSessionLock());
        const m = codeOf(() => model.renewSession(p.m));
        sameOutcome(step, op, r, m);
        if (r.ok) same(step, op, 'session locked until', r.value, m.value);
        break;
      }
      case 'deferred': {
        if (deferredSeqs.length === 0) break;
        const [ei, seq] = deferredSeqs[op.t % deferredSeqs.length]!;
        const e = model.entities[ei]!;
        const mode = op.rad ? 'receiveAndDelete' : 'peekLock';
        let sid: string | undefined;
        if (e.cfg.sessions) {
          const sessionPairs = pairs.filter((p) => p.m.sid !== undefined && p.m.entity === e);
          sid = sessionPairs.length === 0 ? SIDS[op.r % SIDS.length] : sessionPairs[op.r % sessionPairs.length]!.m.sid;
        }
        const r = codeOf(() => broker.receiveDeferred(e.cfg.name, [seq], mode, sid));
        const got = r.ok ? (r.value as StoredMessage[]) : [];
        const m = codeOf(() => model.receiveDeferred(e, false, seq, mode, sid, got[0]?.lockToken));
        sameOutcome(step, op, r, m);
        if (r.ok) {
          same(step, op, 'deferred delivery', got.map(view), [mview(m.value as MMsg)]);
          if (got[0]!.lockToken !== undefined) tokens.push({ token: got[0]!.lockToken, e: ei, dlq: false, sid });
        }
        break;
      }
      case 'cancel': {
        if (op.t % 3 === 0 && scheduledOnTopic.length > 0) {
          const seq = scheduledOnTopic[op.t % scheduledOnTopic.length]!;
          broker.cancelScheduled(TOPIC, [seq]);
          model.cancelPublished(seq);
          break;
        }
        if (scheduledSeqs.length === 0) break;
        const [ei, seq] = scheduledSeqs[op.t % scheduledSeqs.length]!;
        broker.cancelScheduled(CONFIGS[ei]!.name, [seq]);
        model.cancel(model.entities[ei]!, seq);
        break;
      }
      case 'state': {
        const sessionPairs = pairs.filter((p) => p.m.sid !== undefined);
        if (sessionPairs.length === 0) break;
        const p = sessionPairs[op.r % sessionPairs.length]!;
        const sid = p.m.sid!;
        const e = p.m.entity;
        const value = op.value === undefined ? null : String(op.value);
        const r = codeOf(() => broker.setSessionState(e.cfg.name, sid, value === null ? null : new TextEncoder().encode(value)));
        const m = codeOf(() => model.setState(e, sid, value));
        sameOutcome(step, op, r, m);
        const rg = codeOf(() => {
          const st = broker.getSessionState(e.cfg.name, sid);
          return st === null ? null : new TextDecoder().decode(st);
        });
        const mg = codeOf(() => model.getState(e, sid));
        sameOutcome(step, op, rg, mg);
        if (rg.ok) same(step, op, 'session state', rg.value, mg.value);
        same(step, op, 'listSessions', broker.listSessions(e.cfg.name, { skip: 0, top: 100 }), model.listSessions(e));
        break;
      }
      case 'purge': {
        const e = model.entities[op.e]!;
        const r = broker.deleteMessages(path(op.e, op.dlq), { count: op.count });
        same(step, op, 'purged', r, model.purge(e, op.dlq, op.count));
        break;
      }
      case 'advance': {
        const holders = pairs.filter((p) => p.m.sid !== undefined && p.m.open);
        clock.advance(op.ms);
        broker.tick();
        model.advance(clock.now());
        for (const p of holders) {
          if (p.real.closed === p.m.open) fail(step, op, `session ${p.m.sid}: broker receiver closed=${p.real.closed}, model open=${p.m.open}`);
          const expected = p.m.open ? [] : ['SessionLockLost'];
          same(step, op, `lock-lost callbacks of session ${p.m.sid}`, p.lost, expected);
        }
        break;
      }
    }
    compareState(broker, model, step, op, path, step % fullCompareEvery === 0 || step === ops.length - 1);
  });
  // Conservation: every message sent is either still held or left exactly one way.
  for (const b of model.sent) {
    const held = model.entities.some((e) => e.main.some((m) => m.body === b) || e.dlq.some((m) => m.body === b));
    if (held === model.outcomes.has(b)) throw new Error(`message ${b} is ${held ? 'held and gone' : 'lost'} in the model`);
  }
  return ops.length;
}

function compareState(broker: Broker, model: Model, step: number, op: Op, path: (e: number, dlq: boolean) => string, full: boolean): void {
  model.entities.forEach((e: MEntity, i) => {
    const real = broker.runtime(e.cfg.name);
    const expected = model.counts(e);
    if (JSON.stringify(real) !== JSON.stringify(expected)) fail(step, op, `runtime ${e.cfg.name}: broker ${JSON.stringify(real)} vs model ${JSON.stringify(expected)}`);
    if (!full) return;
    for (const dlq of [false, true]) {
      const peeked = broker.peek(path(i, dlq), 0, 10_000).map((m) => ({ ...view(m), reason: m.deadLetterReason, src: m.deadLetterSource, locked: m.lockToken !== undefined }));
      const list = (dlq ? e.dlq : e.main).slice().sort((a, b) => a.seq - b.seq);
      const want = list.map((m) => ({ ...mview(m), reason: m.reason, src: m.src, locked: m.token !== undefined }));
      const a = JSON.stringify(peeked);
      const b = JSON.stringify(want);
      if (a !== b) fail(step, op, `peek ${path(i, dlq)}:\n broker ${a}\n model  ${b}`);
    }
  });
}
