/**
 * Verbs of the test control plane that need the core's state: emptying an entity (purge, and the
 * per-entity part of a reset), ending locks now (fault injection), and read-only inspection of
 * messages and sessions. Inspection takes no lock, counts no delivery and runs no journal event.
 */
import { checkOptionalString } from './argumentChecks.js';
import type { AnyReceivable } from './entities.js';
import { errors } from './errors.js';
import { note } from './journal.js';
import { giveBack } from './messageLock.js';
import type { Namespace } from './namespace.js';
import type { Msg, Session, SubQueue } from './records.js';
import { dropTopicSchedule } from './schedule.js';
import { releaseSession } from './sessionLock.js';
import { snapshot } from './snapshot.js';
import type { InspectedSession, PurgeOptions } from './controlTypes.js';
import type { StoredMessage } from './types.js';

/** Empties a queue or subscription with its dead-letter queue, or a topic's schedule and subscriptions. */
export function purgeEntity(ns: Namespace, path: string, options: PurgeOptions = {}): number {
  const r = ns.registry.lookup(typeof path === 'string' ? path : '');
  if (r === undefined) throw errors.entityNotFound(String(path));
  const entity = r.entity;
  if (entity.kind !== 'topic') {
    if (options.restart && entity.kind === 'queue') restartSequence(entity);
    return emptyReceivable(ns, entity);
  }
  let removed = entity.scheduled.size;
  dropTopicSchedule(ns, entity);
  if (options.restart) restartSequence(entity);
  for (const s of entity.subscriptions.values()) removed += emptyReceivable(ns, s);
  return removed;
}

function restartSequence(e: { nextSeq: number; duplicates: { clear(): void } }): void {
  e.nextSeq = 1;
  e.duplicates.clear();
}

function emptyReceivable(ns: Namespace, entity: AnyReceivable): number {
  const sessions = entity.main.sessions;
  // Holders lose their lock first, so no session keeps messages or a holder once emptied.
  if (sessions !== undefined) for (const s of [...sessions.sessions.values()]) releaseSession(ns, s, true);
  let removed = 0;
  for (const sub of [entity.main, entity.dlq]) {
    const all = [...sub.index.from(0)];
    for (const m of all) sub.remove(m);
    removed += all.length;
  }
  if (sessions !== undefined) {
    for (const s of [...sessions.sessions.values()]) {
      s.state = null;
      sessions.dropIfIdle(s);
    }
  }
  return removed;
}

/**
 * Ends message locks now, as if they had expired: one message's by sequence number, or every
 * lock in the sub-queue. A session message's lock is its session's, so that lock ends instead.
 * Returns how many locks ended.
 */
export function expireMessageLocks(ns: Namespace, path: string, sequenceNumber?: number): number {
  const { sub } = ns.registry.receivable(path);
  const locked: Msg[] = [];
  for (const m of sub.index.from(sequenceNumber ?? 0)) {
    if (sequenceNumber !== undefined && m.seq !== sequenceNumber) break;
    if (m.lockToken !== undefined) locked.push(m);
  }
  const sessions = new Set<Session>();
  for (const m of locked) {
    if (m.session !== undefined) {
      sessions.add(m.session);
      continue;
    }
    ns.deadlines.cancel(m.lockDeadline);
    m.lockDeadline = undefined;
    note(ns, 'lockLost', m);
    giveBack(ns, sub, m, true);
  }
  for (const s of sessions) releaseSession(ns, s, true);
  return locked.length;
}

/** Ends a session's lock now, as if it had expired. False when no receiver holds it. */
export function expireSessionLock(ns: Namespace, path: string, sessionId: string): boolean {
  const id = checkOptionalString(sessionId, 'sessionId');
  const { sub } = ns.registry.sessionSubQueue(path);
  const s = id === undefined ? undefined : sub.sessions!.get(id);
  if (s?.holder === undefined) return false;
  releaseSession(ns, s, true);
  return true;
}

/** Every message of the sub-queue a path names (a topic: its scheduled messages), in order. */
export function inspectMessages(ns: Namespace, path: string): (StoredMessage & { lockHolder?: string })[] {
  const r = ns.registry.lookup(typeof path === 'string' ? path : '');
  if (r === undefined) throw errors.entityNotFound(String(path));
  if (r.entity.kind === 'topic') return [...r.entity.scheduled.values()].sort((a, b) => a.seq - b.seq).map(snapshot);
  const sub: SubQueue = r.deadLetter ? r.entity.dlq : r.entity.main;
  return [...sub.index.from(0)].map((m) => {
    const holder = m.lockToken === undefined ? undefined : (m.session?.holder?.owner ?? sub.locks.holderOf(m));
    // The record's own state: a snapshot reports a message its schedule enqueued as still scheduled.
    const seen = { ...snapshot(m), state: m.state };
    return holder === undefined ? seen : { ...seen, lockHolder: holder };
  });
}

export function inspectSessions(ns: Namespace, path: string): InspectedSession[] {
  const { sub } = ns.registry.receivable(path);
  if (sub.sessions === undefined) return [];
  const out: InspectedSession[] = [];
  for (const s of sub.sessions.sessions.values()) {
    const row: InspectedSession = {
      sessionId: s.id,
      active: 0,
      deferred: 0,
      scheduled: 0,
      locked: 0,
      state: s.state === null ? null : s.state.slice(),
      lockedUntilUtc: s.holder === undefined ? undefined : s.lockedUntil,
      lockHolder: s.holder === undefined ? undefined : s.holder.owner,
    };
    for (const m of s.index.from(0)) {
      if (m.lockToken !== undefined) row.locked++;
      else row[m.state]++;
    }
    out.push(row);
  }
  return out.sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
}

/** Deferred and locked messages of a queue or subscription: what runtime counts do not split out. */
export function countHeld(ns: Namespace, path: string): { deferred: number; locked: number } {
  const { sub } = ns.registry.receivable(path);
  let deferred = 0;
  let locked = 0;
  for (const m of sub.index.from(0)) {
    if (m.lockToken !== undefined) locked++;
    else if (m.state === 'deferred') deferred++;
  }
  return { deferred, locked };
}
