/**
 * Session locks: accepting a named session, accept-next-session (now, or by waiting for one to
 * become available within a timeout), renewing, and the lock ending (receiver closed, lock expired,
 * entity deleted). While a session is locked its receiver is its only reader, and its messages are
 * locked by the session lock rather than each by its own.
 *
 * When the lock ends, its locked messages come back in order with the attempt counted, and their
 * tokens are remembered so that settling one later says SessionLockLost rather than MessageLockLost.
 */
import type { SessionReceiver, SessionReceiverOptions } from './api.js';
import { checkReceiverOptions } from './argumentChecks.js';
import { type Deadline, DeadlineKind } from './deadlines.js';
import { checkReceivable } from './entities.js';
import { type BrokerError, errors } from './errors.js';
import { giveBack } from './messageLock.js';
import type { Namespace } from './namespace.js';
import { type ReceiverHost, SessionReceiverImpl } from './receivers.js';
import type { Session, Sessions, SubQueue } from './records.js';
import type { AcceptWaiter } from './sessionTable.js';
import { noteSession } from './journal.js';

type AcceptDone = (error: BrokerError | undefined, receiver: SessionReceiver | undefined) => void;

/**
 * An accept-next-session call waiting for a session. A class rather than an object of arrow
 * functions: one is made per call, each arrow would be another allocation, and under tsx (which
 * runs bench:core) esbuild's keepNames also wraps each named arrow in an Object.defineProperty.
 */
class NextSessionWaiter implements AcceptWaiter<Session> {
  active = true;
  /** Cancelled by the caller: `done` must not be called any more. */
  cancelled = false;
  deadline: Deadline | undefined = undefined;

  constructor(
    private readonly ns: Namespace,
    private readonly host: ReceiverHost,
    private readonly sub: SubQueue,
    private readonly path: string,
    private readonly options: SessionReceiverOptions,
    private readonly done: AcceptDone,
  ) {}

  grant(session: Session): void {
    this.active = false;
    this.ns.deadlines.cancel(this.deadline);
    const r = lockSession(this.ns, this.host, this.sub, session, this.path, this.options);
    this.ns.effects.later(() => {
      // Cancelled after the session was granted but before hearing of it: give it back.
      if (this.cancelled) r.close();
      else this.done(undefined, r);
    });
  }

  fail(error: BrokerError): void {
    this.active = false;
    this.ns.deadlines.cancel(this.deadline);
    this.ns.effects.later(() => {
      if (!this.cancelled) this.done(error, undefined);
    });
  }

  cancel(): void {
    this.cancelled = true;
    if (this.active) {
      this.active = false;
      this.ns.deadlines.cancel(this.deadline);
    }
  }
}

/** Locks a named session; SessionCannotBeLocked while another receiver holds it. */
export function acceptSession(ns: Namespace, host: ReceiverHost, path: string, sessionId: string, options: SessionReceiverOptions): SessionReceiver {
  const o = checkReceiverOptions(options);
  if (typeof sessionId !== 'string') throw errors.argument('sessionId must be a string.');
  const { entity, sub } = ns.registry.sessionSubQueue(path);
  checkReceivable(entity);
  const session = sub.sessions!.ensure(sessionId);
  if (session.holder !== undefined) throw errors.sessionCannotBeLocked(sessionId);
  return lockSession(ns, host, sub, session, path, o);
}

/**
 * Locks the first available session now, or the first to become available within timeoutMs;
 * waiters are served first come, first served. Returns the cancel function.
 */
export function acceptNextSession(
  ns: Namespace,
  host: ReceiverHost,
  path: string,
  options: SessionReceiverOptions & { timeoutMs: number },
  done: AcceptDone,
): () => void {
  const o = checkReceiverOptions(options) as SessionReceiverOptions & { timeoutMs: number };
  if (typeof done !== 'function') throw errors.argument('done must be a function.');
  const timeoutMs = o.timeoutMs;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) throw errors.argument('timeoutMs must be a non-negative number.');
  const { entity, sub } = ns.registry.sessionSubQueue(path);
  checkReceivable(entity);
  const table = sub.sessions!;
  const waiter = new NextSessionWaiter(ns, host, sub, path, o, done);
  const first = table.firstAvailable();
  if (first !== undefined && !table.hasWaiters()) {
    waiter.grant(first);
  } else if (timeoutMs === 0) {
    waiter.active = false;
    ns.effects.later(() => {
      if (!waiter.cancelled) done(errors.timeout('object session'), undefined);
    });
  } else {
    waiter.deadline = ns.deadlines.add(ns.now + Math.min(timeoutMs, Number.MAX_SAFE_INTEGER - ns.now), DeadlineKind.AcceptDeadline, waiter);
    table.waiters.push(waiter);
  }
  return () => waiter.cancel();
}

export function onAcceptDeadline(_ns: Namespace, t: Deadline): void {
  const w = t.target as NextSessionWaiter;
  if (w.active) w.fail(errors.timeout('object session'));
}

function lockSession(ns: Namespace, host: ReceiverHost, sub: SubQueue, session: Session, path: string, options: SessionReceiverOptions): SessionReceiverImpl {
  const r = new SessionReceiverImpl(host, sub, path, session, options);
  r.notifyQueued = options.onAvailable === undefined;
  session.holder = r;
  session.lockedUntil = ns.now + sub.owner.properties.lockDurationMs;
  session.lockDeadline = ns.deadlines.add(session.lockedUntil, DeadlineKind.SessionLock, session);
  sub.sessions!.refresh(session);
  noteSession(ns, 'sessionAccepted', sub.path, session.id);
  if (session.readyCount > 0) ns.effects.notify(r);
  return r;
}

/** The session a path and id name, which must be locked now (else SessionLockLost). */
export function lockedSession(ns: Namespace, path: string, sessionId: string): Session {
  if (typeof sessionId !== 'string') throw errors.argument('sessionId must be a string.');
  const { sub } = ns.registry.sessionSubQueue(path);
  const s = sub.sessions!.get(sessionId);
  if (s?.holder === undefined) throw errors.sessionLockLost(sessionId);
  return s;
}

export function renewSessionLock(ns: Namespace, path: string, sessionId: string): number {
  return extendSession(ns, lockedSession(ns, path, sessionId));
}

export function renewReceiverSession(ns: Namespace, r: SessionReceiverImpl): number {
  if (!r.holdsLock) throw errors.sessionLockLost(r.sessionId);
  return extendSession(ns, r.session);
}

/** Returns the new locked-until. */
function extendSession(ns: Namespace, s: Session): number {
  s.lockedUntil = ns.now + s.home.owner.properties.lockDurationMs;
  ns.deadlines.cancel(s.lockDeadline);
  s.lockDeadline = ns.deadlines.add(s.lockedUntil, DeadlineKind.SessionLock, s);
  return s.lockedUntil;
}

/**
 * Ends a session lock (receiver closed, or lock expired when `lost`): its messages come back in
 * order with the attempt counted, and the session is offered to the next waiter.
 */
export function releaseSession(ns: Namespace, session: Session, lost: boolean): void {
  const holder = session.holder;
  if (holder === undefined) return;
  const sub = session.home;
  session.holder = undefined;
  ns.deadlines.cancel(session.lockDeadline);
  session.lockDeadline = undefined;
  holder.closed = true;
  noteSession(ns, lost ? 'sessionLockLost' : 'sessionReleased', sub.path, session.id);
  const locked = [...session.lockedMessages].sort((a, b) => a.seq - b.seq);
  for (const m of locked) {
    ns.lostTokens.add(m.lockToken!);
    giveBack(ns, sub, m, true, undefined, false);
  }
  if (lost) {
    const error = errors.sessionLockLost(session.id);
    ns.effects.later(() => holder.lockLost(error));
  }
  sub.sessions!.refresh(session);
  sub.sessions!.serveWaiters();
  sub.sessions!.dropIfIdle(session);
}

export function onSessionLockDue(ns: Namespace, t: Deadline): void {
  const s = t.target as Session;
  if (s.lockDeadline === t) releaseSession(ns, s, true);
}

/** The entity is being deleted: every holder loses its lock and every waiter fails with `gone`. */
export function endSessions(ns: Namespace, table: Sessions, gone: BrokerError): void {
  for (const s of table.sessions.values()) {
    const holder = s.holder;
    ns.deadlines.cancel(s.lockDeadline);
    if (holder !== undefined) {
      holder.closed = true;
      s.holder = undefined;
      ns.effects.later(() => holder.lockLost(gone));
    }
  }
  for (let w = table.takeWaiter(); w !== undefined; w = table.takeWaiter()) w.fail(gone);
  table.sessions.clear();
}
