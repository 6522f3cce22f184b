/**
 * Settling a locked message by its lock token: complete removes it, abandon gives it back counting
 * the attempt, release gives it back without counting it (the client let it go unprocessed).
 * Settlement is by token on the entity, so it works after the receiver closed. In a transaction
 * each verb checks the lock now and is applied at commit (transaction.ts). Deferring and
 * dead-lettering, the other two outcomes, are deferred.ts and deadLetter.ts.
 */
import type { SettleOptions } from './api.js';
import { checkProperties } from './argumentChecks.js';
import { giveBack, resolveLock } from './messageLock.js';
import type { Namespace } from './namespace.js';
import { settleInTransaction } from './transaction.js';
import type { PropertiesToModify } from './types.js';
import { note } from './journal.js';

export function complete(ns: Namespace, path: string, lockToken: string, options?: SettleOptions): void {
  const { sub, m } = resolveLock(ns, path, lockToken, options);
  if (settleInTransaction(ns, path, lockToken, options, (o) => complete(ns, path, lockToken, o))) return;
  note(ns, 'completed', m);
  sub.remove(m);
}

export function abandon(ns: Namespace, path: string, lockToken: string, propertiesToModify?: PropertiesToModify, options?: SettleOptions): void {
  const props = checkProperties(propertiesToModify);
  const { sub, m } = resolveLock(ns, path, lockToken, options);
  if (settleInTransaction(ns, path, lockToken, options, (o) => abandon(ns, path, lockToken, propertiesToModify, o))) return;
  note(ns, 'abandoned', m);
  giveBack(ns, sub, m, true, props);
}

export function release(ns: Namespace, path: string, lockToken: string, options?: SettleOptions): void {
  const { sub, m } = resolveLock(ns, path, lockToken, options);
  note(ns, 'released', m);
  giveBack(ns, sub, m, false);
}
