/**
 * Receiving from a queue or subscription (or its dead-letter queue): opening a receiver, taking
 * ready messages in sequence-number order (locking them, or removing them in receive-and-delete
 * mode), and closing. Session receivers come from sessionLock.ts and receive through here too.
 */
import type { Receiver, ReceiverOptions } from './api.js';
import { checkCount, checkReceiverOptions } from './argumentChecks.js';
import { checkReceivable } from './entities.js';
import { errors } from './errors.js';
import { expireIfDue } from './expiry.js';
import { lockMessage } from './messageLock.js';
import type { Namespace } from './namespace.js';
import { ReceiverImpl, type ReceiverHost, SessionReceiverImpl } from './receivers.js';
import type { Session, SubQueue } from './records.js';
import { releaseSession } from './sessionLock.js';
import { snapshot } from './snapshot.js';
import type { ReceiveMode, StoredMessage } from './types.js';
import { note } from './journal.js';

/** A non-session receiver; a session entity's main queue needs acceptSession instead. */
export function openReceiver(ns: Namespace, host: ReceiverHost, path: string, options: ReceiverOptions): Receiver {
  const o = checkReceiverOptions(options);
  const { entity, sub } = ns.registry.receivable(path);
  if (sub.sessions !== undefined) throw errors.invalid(`'${path}' requires sessions; accept a session to receive from it.`);
  checkReceivable(entity);
  const r = new ReceiverImpl(host, sub, path, o.mode, o);
  // Receivers without a callback never need waking; marking them as already queued skips them.
  r.notifyQueued = o.onAvailable === undefined;
  sub.receivers.add(r);
  if (sub.readyCount > 0) ns.effects.notify(r);
  return r;
}

export function receive(ns: Namespace, r: ReceiverImpl, max: number): StoredMessage[] {
  const n = checkCount(max, 'max');
  const sub = r.sub;
  let session: Session | undefined;
  if (r instanceof SessionReceiverImpl) {
    if (!r.holdsLock) throw errors.sessionLockLost(r.sessionId);
    session = r.session;
  } else if (r.closed) {
    throw errors.invalid('The receiver is closed.');
  }
  const entity = sub.owner;
  if (entity.deleted) throw errors.entityNotFound(r.path);
  checkReceivable(entity);
  entity.times.accessedAt = ns.now;
  return take(ns, sub, session, n, r.mode, r.owner);
}

function take(ns: Namespace, sub: SubQueue, session: Session | undefined, max: number, mode: ReceiveMode, holder: string | undefined): StoredMessage[] {
  const out: StoredMessage[] = [];
  const lockMs = sub.owner.properties.lockDurationMs;
  while (out.length < max) {
    const m = sub.takeReady(session);
    if (m === undefined) break;
    if (expireIfDue(ns, sub, m)) continue;
    note(ns, 'delivered', m);
    if (mode === 'receiveAndDelete') {
      out.push(snapshot(m));
      sub.remove(m);
    } else {
      lockMessage(ns, sub, m, session, lockMs, holder);
      out.push(snapshot(m));
    }
  }
  return out;
}

/** Stops notifications; closing a session receiver releases its session lock at once. */
export function closeReceiver(ns: Namespace, r: ReceiverImpl): void {
  if (r.closed) return;
  r.closed = true;
  r.sub.receivers.delete(r);
  if (r instanceof SessionReceiverImpl && r.session.holder === r) {
    r.closed = false; // releaseSession closes it as the holder
    releaseSession(ns, r.session, false);
  }
}
