/**
 * The reference model: the same rules as the broker, written as plainly as possible. Messages
 * live in flat arrays that are scanned and sorted on every question; nothing here is clever, so
 * a disagreement with the broker points at the broker (or at a rule stated twice differently).
 *
 * Rules modelled (see src/broker): delivery in sequence order among ready messages; deliveryCount
 * counts earlier attempts; abandon / lock expiry / session loss count an attempt, release does
 * not; MaxDeliveryCount dead-letters; TTL expiry dead-letters or drops per entity; deferred
 * messages only come back by sequence number; session messages are locked by their session lock.
 * Deferring counts an attempt too; in a dead-letter queue nothing counts one. A message enqueued
 * by its schedule is reported as scheduled for the rest of its life (unless deferred). Where a
 * message goes (forwarding, fan-out, dead-lettering, expiry) is routing.ts's.
 */
import { ModelRouting } from './routing.js';
import { type EntityConfig, MEntity, MESSAGE_SIZE, type MMsg, ModelError, type MReceiver, type Pending, type Props, type State } from './types.js';

export * from './types.js';

export class Model extends ModelRouting {
  readonly receivers: MReceiver[] = [];
  readonly lostSessionTokens = new Set<string>();

  constructor(now: number, configs: EntityConfig[], duplicateWindowMs: number) {
    super(now, configs.map((c) => new MEntity(c)), duplicateWindowMs);
  }

  /** The end of a lock without completion. */
  private giveBack(e: MEntity, dlq: boolean, m: MMsg, count: boolean): void {
    m.token = undefined;
    m.lockedUntil = undefined;
    m.lockArm = undefined;
    if (count && !dlq) m.dc++;
    if (!dlq) {
      if (count && m.dc >= e.cfg.maxDelivery) return this.toDeadLetter(e, m, 'MaxDeliveryCountExceeded');
      if (m.exp <= this.now) return this.expire(e, m);
    }
  }

  ready(e: MEntity, dlq: boolean, sid?: string): MMsg[] {
    return this.list(e, dlq)
      .filter((m) => m.state === 'active' && m.token === undefined && (sid === undefined || m.sid === sid))
      .sort((a, b) => a.seq - b.seq);
  }

  sessionHeld(e: MEntity, sid: string): boolean {
    return e.sessions.get(sid)?.holder !== undefined;
  }

  availableSessions(e: MEntity): string[] {
    const sids = new Set(this.ready(e, false).map((m) => m.sid!));
    return [...sids].filter((sid) => !this.sessionHeld(e, sid));
  }

  private releaseSession(e: MEntity, sid: string): void {
    const s = e.sessions.get(sid)!;
    const r = this.receivers[s.holder!]!;
    r.open = false;
    s.holder = undefined;
    const locked = e.main.filter((m) => m.sid === sid && m.token !== undefined).sort((a, b) => a.seq - b.seq);
    for (const m of locked) {
      this.lostSessionTokens.add(m.token!);
      this.giveBack(e, false, m, true);
    }
    this.cleanupSession(e, sid);
  }

  // ---- operations ---------------------------------------------------------------------------

  send(e: MEntity, bodies: number[], sid: string | undefined, ttl: number | undefined, delay: number | undefined): number[] {
    return bodies.map((body) => {
      this.sent.add(body);
      const seq = e.nextSeq++;
      const m: MMsg = { body, seq, sid, state: 'active', dc: 0, enq: this.now, ttl: Math.min(ttl ?? Infinity, e.cfg.defaultTtl), exp: 0, hops: 0, props: {} };
      if (delay === undefined) {
        this.enqueue(e, m);
        return seq;
      }
      Object.assign(m, { state: 'scheduled', fromSchedule: true, enq: this.now + delay, schedArm: this.arm() });
      m.exp = m.enq + m.ttl;
      e.main.push(m);
      if (e.cfg.sessions) this.session(e, sid!);
      return seq;
    });
  }

  /**
   * Publishing to the topic: a message id seen within the window answers with the original's
   * number and stores nothing; otherwise the topic's next number, and routing.ts's fan-out now
   * or, when scheduled, once its time comes.
   */
  publish(bodies: number[], sid: string | undefined, subject: string, props: Props, mid: string | undefined, ttl: number | undefined, delay: number | undefined): number[] {
    const t = this.topic;
    return bodies.map((body) => {
      if (mid !== undefined) {
        for (const [id, seen] of t.seen) if (seen.at + t.windowMs <= this.now) t.seen.delete(id);
        const original = t.seen.get(mid);
        if (original) return original.seq;
      }
      const seq = t.nextSeq++;
      if (mid !== undefined) {
        t.seen.delete(mid);
        t.seen.set(mid, { at: this.now, seq });
      }
      const p: Pending = { body, seq, sid, subject, props, enq: delay !== undefined ? this.now + delay : this.now, ttl: ttl ?? Infinity, arm: -1 };
      if (delay === undefined) return this.fanOut(p, false), seq;
      p.arm = this.arm();
      t.pending.push(p);
      return seq;
    });
  }

  cancelPublished(seq: number): void {
    const i = this.topic.pending.findIndex((p) => p.seq === seq);
    if (i >= 0) this.topic.pending.splice(i, 1);
  }

  openReceiver(e: MEntity, dlq: boolean, mode: MReceiver['mode']): MReceiver {
    if (e.cfg.sessions && !dlq) throw new ModelError('InvalidOperation');
    const r: MReceiver = { id: this.receivers.length, entity: e, dlq, mode, open: true };
    this.receivers.push(r);
    return r;
  }

  acceptSession(e: MEntity, sid: string, mode: MReceiver['mode']): MReceiver {
    const s = this.session(e, sid);
    if (s.holder !== undefined) throw new ModelError('SessionCannotBeLocked');
    const r: MReceiver = { id: this.receivers.length, entity: e, dlq: false, mode, sid, open: true };
    this.receivers.push(r);
    s.holder = r.id;
    s.until = this.now + e.cfg.lockMs;
    s.arm = this.arm();
    return r;
  }

  /** Accept-next with no wait: the broker's pick must be one of these. */
  acceptNext(e: MEntity, chosen: string | undefined, mode: MReceiver['mode']): MReceiver {
    const available = this.availableSessions(e);
    if (available.length === 0) {
      if (chosen !== undefined) throw new Error(`broker accepted session ${chosen} but none is available`);
      throw new ModelError('Timeout');
    }
    if (chosen === undefined || !available.includes(chosen)) {
      throw new Error(`broker chose ${String(chosen)}; available: ${available.join(',')}`);
    }
    return this.acceptSession(e, chosen, mode);
  }

  /** What receive(max) must return; `tokens` are the broker's. */
  receive(r: MReceiver, max: number, tokens: (string | undefined)[]): MMsg[] {
    const e = r.entity;
    if (r.sid !== undefined) {
      if (!r.open || e.sessions.get(r.sid)?.holder !== r.id) throw new ModelError('SessionLockLost');
    } else if (!r.open) {
      throw new ModelError('InvalidOperation');
    }
    const out: MMsg[] = [];
    for (const m of this.ready(e, r.dlq, r.sid)) {
      if (out.length >= max) break;
      if (!r.dlq && m.exp <= this.now) throw new Error('model: an expired message is still ready');
      out.push({ ...m });
      if (r.mode === 'receiveAndDelete') {
        this.drop(e, r.dlq, m, 'deleted');
      } else {
        m.token = tokens[out.length - 1];
        if (r.sid === undefined) this.lockFor(e, m);
      }
    }
    return out;
  }

  private lockFor(e: MEntity, m: MMsg): void {
    m.lockedUntil = this.now + e.cfg.lockMs;
    m.lockArm = this.arm();
  }

  private locked(e: MEntity, dlq: boolean, token: string, viaSid: string | undefined): MMsg {
    if (viaSid !== undefined && e.cfg.sessions && !dlq && !this.sessionHeld(e, viaSid)) throw new ModelError('SessionLockLost');
    const m = this.list(e, dlq).find((x) => x.token === token);
    if (!m) throw new ModelError(this.lostSessionTokens.has(token) ? 'SessionLockLost' : 'MessageLockLost');
    return m;
  }

  settle(
    e: MEntity,
    dlq: boolean,
    how: 'complete' | 'abandon' | 'defer' | 'deadLetter' | 'release' | 'renew',
    token: string,
    viaSid: string | undefined,
  ): number | undefined {
    const m = this.locked(e, dlq, token, viaSid);
    switch (how) {
      case 'complete':
        this.drop(e, dlq, m, 'completed');
        return undefined;
      case 'abandon':
        this.giveBack(e, dlq, m, true);
        return undefined;
      case 'release':
        this.giveBack(e, dlq, m, false);
        return undefined;
      case 'defer':
        Object.assign(m, { token: undefined, lockedUntil: undefined, lockArm: undefined, state: 'deferred' });
        if (!dlq) m.dc++;
        if (!dlq && m.exp <= this.now) this.expire(e, m);
        return undefined;
      case 'deadLetter':
        if (dlq) throw new ModelError('InvalidOperation');
        this.toDeadLetter(e, m, 'ModelReason');
        return undefined;
      case 'renew':
        if (e.cfg.sessions && !dlq) throw new ModelError('InvalidOperation');
        this.lockFor(e, m);
        return m.lockedUntil;
    }
  }

  receiveDeferred(e: MEntity, dlq: boolean, seq: number, mode: MReceiver['mode'], sid: string | undefined, token: string | undefined): MMsg {
    if (e.cfg.sessions && !dlq) {
      if (sid === undefined) throw new ModelError('InvalidOperation');
      if (!this.sessionHeld(e, sid)) throw new ModelError('SessionLockLost');
    }
    const m = this.list(e, dlq).find((x) => x.seq === seq && x.state === 'deferred' && x.token === undefined && (sid === undefined || x.sid === sid));
    if (!m) throw new ModelError('MessageNotFound');
    const copy = { ...m };
    if (mode === 'receiveAndDelete') this.drop(e, dlq, m, 'deleted');
    else {
      m.token = token;
      if (!(e.cfg.sessions && !dlq)) this.lockFor(e, m);
    }
    return copy;
  }

  close(r: MReceiver): void {
    if (!r.open) return;
    if (r.sid !== undefined && r.entity.sessions.get(r.sid)?.holder === r.id) this.releaseSession(r.entity, r.sid);
    r.open = false;
  }

  renewSession(r: MReceiver): number {
    const s = r.sid === undefined ? undefined : r.entity.sessions.get(r.sid);
    if (!r.open || s?.holder !== r.id) throw new ModelError('SessionLockLost');
    s.until = this.now + r.entity.cfg.lockMs;
    s.arm = this.arm();
    return s.until;
  }

  setState(e: MEntity, sid: string, state: string | null): void {
    const s = e.sessions.get(sid);
    if (s?.holder === undefined) throw new ModelError('SessionLockLost');
    s.state = state;
  }

  getState(e: MEntity, sid: string): string | null {
    const s = e.sessions.get(sid);
    if (s?.holder === undefined) throw new ModelError('SessionLockLost');
    return s.state;
  }

  listSessions(e: MEntity): string[] {
    return [...e.sessions.entries()]
      .filter(([sid, s]) => s.state !== null || e.main.some((m) => m.sid === sid))
      .map(([sid]) => sid)
      .sort();
  }

  cancel(e: MEntity, seq: number): void {
    const m = e.main.find((x) => x.seq === seq && x.state === 'scheduled');
    if (m) this.drop(e, false, m, 'cancelled');
  }

  purge(e: MEntity, dlq: boolean, count: number): number {
    const victims = this.ready(e, dlq).slice(0, count);
    for (const m of victims) this.drop(e, dlq, m, 'deleted');
    return victims.length;
  }

  /**
   * The clock moves to `now`; everything due by then happens in the order the broker's deadline
   * heap gives (instant, then the order armed), each judged at `now`. Returns the lost sessions.
   */
  advance(now: number): string[] {
    this.now = now;
    const lost: string[] = [];
    for (let due = this.nextDue(); due !== undefined; due = this.nextDue()) due.run(lost);
    return lost;
  }

  private nextDue(): { at: number; arm: number; run: (lost: string[]) => void } | undefined {
    let best: { at: number; arm: number; run: (lost: string[]) => void } | undefined;
    const consider = (at: number, arm: number | undefined, run: (lost: string[]) => void) => {
      if (arm === undefined || at > this.now) return;
      if (best === undefined || at < best.at || (at === best.at && arm < best.arm)) best = { at, arm, run };
    };
    for (const p of this.topic.pending) {
      consider(p.enq, p.arm, () => {
        this.topic.pending.splice(this.topic.pending.indexOf(p), 1);
        this.fanOut(p, true);
      });
    }
    for (const e of this.entities) {
      for (const dlq of [false, true]) {
        for (const m of this.list(e, dlq)) {
          if (m.token !== undefined && m.lockedUntil !== undefined) consider(m.lockedUntil, m.lockArm, () => this.giveBack(e, dlq, m, true));
        }
      }
      for (const [sid, s] of e.sessions) {
        if (s.holder !== undefined) consider(s.until, s.arm, (lost) => (lost.push(sid), this.releaseSession(e, sid)));
      }
      for (const m of e.main) {
        if (m.state === 'scheduled') {
          consider(m.enq, m.schedArm, () => {
            e.main.splice(e.main.indexOf(m), 1);
            this.cleanupSession(e, m.sid);
            this.enqueue(e, { ...m, state: 'active', schedArm: undefined });
          });
        } else {
          consider(m.exp, m.expArm, () => {
            m.expArm = undefined;
            if (m.token === undefined) this.expire(e, m);
          });
        }
      }
    }
    return best;
  }

  /** The state a client sees. */
  static reportedState(m: MMsg): State {
    return m.state === 'active' && m.fromSchedule ? 'scheduled' : m.state;
  }

  counts(e: MEntity) {
    const active = e.main.filter((m) => m.state !== 'scheduled').length;
    const scheduled = e.main.length - active;
    return {
      activeMessageCount: active,
      deadLetterMessageCount: e.dlq.length,
      scheduledMessageCount: scheduled,
      transferMessageCount: 0,
      transferDeadLetterMessageCount: 0,
      totalMessageCount: e.main.length + e.dlq.length,
      sizeInBytes: (e.main.length + e.dlq.length) * MESSAGE_SIZE,
    };
  }
}
