/**
 * Deferring: a locked message set aside, out of the ready order, until the client asks for it by
 * sequence number. It still counts as active, and keeps its time to live. On Azure a deferral is a
 * delivery attempt like an abandon (outside a dead-letter queue, where nothing counts one), though
 * it never dead-letters by itself: the next abandon past MaxDeliveryCount does.
 */
import type { SettleOptions } from './api.js';
import { checkMode, checkOptionalString, checkProperties, checkSequenceNumbers } from './argumentChecks.js';
import { checkReceivable } from './entities.js';
import { errors } from './errors.js';
import { expireIfDue } from './expiry.js';
import { lockMessage, resolveLock } from './messageLock.js';
import type { Namespace } from './namespace.js';
import type { Msg, Session } from './records.js';
import { snapshot } from './snapshot.js';
import { settleInTransaction } from './transaction.js';
import type { PropertiesToModify, ReceiveMode, StoredMessage } from './types.js';
import { note } from './journal.js';

export function defer(ns: Namespace, path: string, lockToken: string, propertiesToModify?: PropertiesToModify, options?: SettleOptions): void {
  const props = checkProperties(propertiesToModify);
  const { sub, m } = resolveLock(ns, path, lockToken, options);
  if (settleInTransaction(ns, path, lockToken, options, (o) => defer(ns, path, lockToken, propertiesToModify, o))) return;
  sub.unlock(m);
  m.modify(props);
  m.state = 'deferred';
  if (!sub.deadLetter) m.deliveryCount++;
  note(ns, 'deferred', m);
  // Its time to live may have run out while it was locked; deferring must not keep it alive.
  expireIfDue(ns, sub, m);
}

/** Deferred messages by number (MessageNotFound if any is missing), locked or removed. */
export function receiveDeferred(ns: Namespace, path: string, sequenceNumbers: number[], mode: ReceiveMode, sessionId?: string): StoredMessage[] {
  const seqs = checkSequenceNumbers(sequenceNumbers);
  checkMode(mode);
  const id = checkOptionalString(sessionId, 'sessionId');
  const { entity, sub } = ns.registry.receivable(path);
  checkReceivable(entity);
  let session: Session | undefined;
  if (sub.sessions !== undefined) {
    if (id === undefined) throw errors.invalid(`'${path}' requires sessions; receive deferred messages through a session.`);
    session = sub.sessions.get(id);
    if (session?.holder === undefined) throw errors.sessionLockLost(id);
  }
  const index = session?.index ?? sub.index;
  const picked: Msg[] = [];
  const seen = new Set<number>();
  for (const seq of seqs) {
    if (seen.has(seq)) continue;
    seen.add(seq);
    const m = index.get(seq);
    if (m === undefined || m.state !== 'deferred' || m.lockToken !== undefined || (id !== undefined && m.sessionId !== id)) {
      throw errors.messageNotFound(`Failed to lock one or more specified messages. The message with sequence number ${seq} was not found.`);
    }
    picked.push(m);
  }
  const lockMs = entity.properties.lockDurationMs;
  return picked.map((m) => {
    note(ns, 'delivered', m, 'deferred');
    if (mode === 'receiveAndDelete') {
      const s = snapshot(m);
      sub.remove(m);
      return s;
    }
    lockMessage(ns, sub, m, session, lockMs);
    return snapshot(m);
  });
}
