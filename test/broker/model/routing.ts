/**
 * The model's routing, as plainly as the broker's routing.ts states it: where a message goes when
 * it is sent, comes due, is forwarded, fanned out to subscriptions, dead-lettered or expires.
 *
 * - ForwardTo moves each message placed in a queue or subscription to the target, with the
 *   target's next sequence number, a fresh enqueued time and one more hop; a message that already
 *   made 4 hops is dead-lettered where it is (MaxTransferHopCountExceeded). A session queue does
 *   not take a message without a session id: it stays where it is.
 * - ForwardDeadLetteredMessagesTo forwards what is dead-lettered (its reason kept, the entity it
 *   was dead-lettered in as its source) unless it already made 4 hops.
 * - A topic message goes to each subscription whose rules match: one plain copy for the matching
 *   rules without an action, one copy per matching rule with an action (rule-name order, the rule
 *   name in RuleName); the first copy keeps the topic's number, each further one takes the next.
 *
 * Deadlines: the broker runs those due at the same instant in the order they were armed. Each
 * armed deadline takes the next number from `arm()`, so the model can run them in the same order.
 */
import { type MEntity, type MMsg, type MSession, MTopic, type Outcome, type Pending } from './types.js';

export const MAX_HOPS = 4;

export class ModelRouting {
  now: number;
  readonly entities: MEntity[];
  readonly topic: MTopic;
  /** How every message sent to a queue that left the broker left it, by body. */
  readonly outcomes = new Map<number, Outcome>();
  /** Bodies of every message sent to a queue. */
  readonly sent = new Set<number>();
  private arms = 0;

  constructor(now: number, entities: MEntity[], duplicateWindowMs: number) {
    this.now = now;
    this.entities = entities;
    this.topic = new MTopic(duplicateWindowMs);
  }

  protected arm(): number {
    return this.arms++;
  }

  protected list(e: MEntity, dlq: boolean): MMsg[] {
    return dlq ? e.dlq : e.main;
  }

  protected drop(e: MEntity, dlq: boolean, m: MMsg, outcome: Outcome): void {
    const l = this.list(e, dlq);
    l.splice(l.indexOf(m), 1);
    this.outcomes.set(m.body, outcome);
    this.cleanupSession(e, m.sid);
  }

  protected cleanupSession(e: MEntity, sid: string | undefined): void {
    if (!e.cfg.sessions || sid === undefined) return;
    const s = e.sessions.get(sid);
    if (s && s.holder === undefined && s.state === null && !e.main.some((m) => m.sid === sid)) e.sessions.delete(sid);
  }

  protected session(e: MEntity, sid: string): MSession {
    let s = e.sessions.get(sid);
    if (!s) {
      s = { until: 0, arm: -1, state: null };
      e.sessions.set(sid, s);
    }
    return s;
  }

  private byName(name: string | undefined, m: MMsg): MEntity | undefined {
    if (name === undefined) return undefined;
    const target = this.entities.find((x) => x.cfg.name === name)!;
    return target.cfg.sessions && m.sid === undefined ? undefined : target;
  }

  /** A message new to `e`'s main queue, honouring ForwardTo. */
  protected enqueue(e: MEntity, m: MMsg): void {
    const target = m.state === 'active' ? this.byName(e.cfg.forwardTo, m) : undefined;
    if (target === undefined) return this.placeInMain(e, m);
    if (m.hops >= MAX_HOPS) return this.routeToDeadLetter(e, m, 'MaxTransferHopCountExceeded');
    this.forward(target, m);
  }

  private forward(target: MEntity, m: MMsg): void {
    const copy: MMsg = { ...m, hops: m.hops + 1, seq: target.nextSeq++, enq: this.now, state: 'active', expArm: undefined, schedArm: undefined };
    this.enqueue(target, copy);
  }

  private placeInMain(e: MEntity, m: MMsg): void {
    m.ttl = Math.min(m.ttl, e.cfg.defaultTtl);
    m.exp = m.enq + m.ttl;
    e.main.push(m);
    if (e.cfg.sessions) this.session(e, m.sid!);
    if (m.exp <= this.now) return this.expire(e, m);
    if (Number.isFinite(m.ttl)) m.expArm = this.arm();
  }

  /** Takes a message out of `e`'s main queue and dead-letters it. */
  protected toDeadLetter(e: MEntity, m: MMsg, reason: string): void {
    e.main.splice(e.main.indexOf(m), 1);
    this.cleanupSession(e, m.sid);
    this.routeToDeadLetter(e, { ...m }, reason);
  }

  private routeToDeadLetter(e: MEntity, m: MMsg, reason: string): void {
    Object.assign(m, { reason, src: undefined, token: undefined, lockedUntil: undefined, lockArm: undefined, expArm: undefined, schedArm: undefined });
    const target = this.byName(e.cfg.forwardDlqTo, m);
    if (target !== undefined && m.hops < MAX_HOPS) {
      m.src = e.cfg.name;
      return this.forward(target, m);
    }
    m.state = 'active';
    e.dlq.push(m);
  }

  protected expire(e: MEntity, m: MMsg): void {
    if (e.cfg.dlqOnExpiry) this.toDeadLetter(e, m, 'TTLExpiredException');
    else this.drop(e, false, m, 'dropped');
  }

  /** A topic message, now or when its scheduled time comes, to each subscription that takes it. */
  protected fanOut(p: Pending, fromSchedule: boolean): void {
    for (const e of this.entities) {
      const rules = e.cfg.rules;
      if (rules === undefined) continue;
      const matching = rules.filter((r) => r.takes(p));
      const base: MMsg = { body: p.body, seq: p.seq, sid: p.sid, state: 'active', dc: 0, enq: p.enq, ttl: p.ttl, exp: 0, hops: 0, subject: p.subject, props: { ...p.props }, fromSchedule };
      let numbered = false;
      if (matching.some((r) => r.apply === undefined)) {
        this.place(e, { ...base });
        numbered = true;
      }
      const withActions = matching.filter((r) => r.apply !== undefined).sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
      for (const r of withActions) {
        const changed = r.apply!(base);
        const copy: MMsg = { ...base, subject: changed.subject, props: { ...changed.props, RuleName: r.name } };
        if (numbered) copy.seq = this.topic.nextSeq++;
        numbered = true;
        this.place(e, copy);
      }
    }
  }

  private place(e: MEntity, m: MMsg): void {
    if (e.cfg.sessions && m.sid === undefined) return this.routeToDeadLetter(e, m, 'SessionIdIsMissing');
    this.enqueue(e, m);
  }
}
