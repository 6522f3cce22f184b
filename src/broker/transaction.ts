/**
 * Transactions as Service Bus runs them: a declared transaction buffers sends and settlements
 * and applies them all at once when committed, or drops them when rolled back. A settlement is
 * checked when it is made (the lock must be held then) and the message stays locked until the
 * commit; a send is checked when made and stored, invisible until then, at the commit. A
 * transaction works on one queue or topic (with its subscriptions and dead-letter queues); a send
 * through that entity to another ("send via") counts as an operation on it. One that is not
 * discharged within two minutes is rolled back.
 *
 * A commit checks every operation before applying any, so it is all or nothing: a lock that
 * expired in the meantime rolls the whole transaction back.
 */
import type { SettleOptions } from './api.js';
import { checkOptionalString } from './argumentChecks.js';
import { type Deadline, DeadlineKind } from './deadlines.js';
import { errors } from './errors.js';
import { resolveLock } from './messageLock.js';
import type { Namespace } from './namespace.js';
import type { Transaction } from './transactionTable.js';

/** Azure's limit on a transaction's life, from declare to discharge. */
export const TRANSACTION_TIMEOUT_MS = 2 * 60 * 1000;

export function declareTransaction(ns: Namespace): string {
  const txn = ns.transactions.create(ns.now);
  txn.deadline = ns.deadlines.add(ns.now + TRANSACTION_TIMEOUT_MS, DeadlineKind.Transaction, txn);
  return txn.id;
}

/** Commits (`fail` false) or rolls back a transaction; it is gone afterwards either way. */
export function dischargeTransaction(ns: Namespace, id: string, fail: boolean): void {
  const txn = known(ns, id);
  ns.transactions.delete(txn.id);
  ns.deadlines.cancel(txn.deadline);
  if (txn.timedOut) throw errors.transactionTimeout(txn.id);
  if (fail) return;
  if (txn.failure !== undefined) throw errors.transactionRollback(txn.id, txn.failure);
  try {
    for (const op of txn.ops) op.check();
  } catch (e) {
    throw errors.transactionRollback(txn.id, e instanceof Error ? e.message : String(e));
  }
  for (const op of txn.ops) op.apply();
}

/** The timeout: everything buffered is dropped, the id stays known until discharged. */
export function onTransactionDue(_ns: Namespace, deadline: Deadline): void {
  const txn = deadline.target as Transaction;
  txn.ops.length = 0;
  txn.lockTokens.clear();
  txn.timedOut = true;
}

/**
 * The transaction an operation on `scopePath` belongs to, or undefined when it has none. Throws
 * when the id is unknown, timed out, or the transaction already works on another entity.
 */
export function transactionOf(
  ns: Namespace,
  options: { transactionId?: string } | undefined,
  scopePath: string,
  anyScope = false,
): Transaction | undefined {
  const id = checkOptionalString(options?.transactionId, 'transactionId');
  if (id === undefined) return undefined;
  const txn = known(ns, id);
  if (txn.timedOut) throw errors.transactionTimeout(txn.id);
  if (txn.failure !== undefined) throw errors.invalid(txn.failure);
  const r = ns.registry.lookup(scopePath);
  if (r === undefined) throw errors.entityNotFound(scopePath);
  const top = r.entity.kind === 'subscription' ? r.entity.topic : r.entity;
  if (txn.scope === undefined) {
    txn.scope = top;
    txn.scopeName = top.name;
  } else if (txn.scope !== top && !anyScope) {
    // Some clients (Java) do not look at the outcome of a send in a transaction: the commit must fail too.
    txn.failure = `Local transactions cannot span multiple top-level entities such as queue or topic. Transaction '${txn.id}' works on '${txn.scopeName}', not '${top.name}'; send to another entity through '${txn.scopeName}' (send via) instead.`;
    throw errors.invalid(txn.failure);
  }
  return txn;
}

/**
 * Called by a settlement verb once it has checked its arguments and the lock: in a transaction
 * the settlement is buffered (true), the caller applies it itself otherwise (false).
 */
export function settleInTransaction(
  ns: Namespace,
  path: string,
  lockToken: string,
  options: SettleOptions | undefined,
  settle: (plain: SettleOptions) => void,
): boolean {
  const txn = transactionOf(ns, options, path);
  if (txn === undefined) return false;
  const key = lockToken.toLowerCase();
  if (txn.lockTokens.has(key)) throw errors.lockLost();
  txn.lockTokens.add(key);
  const plain: SettleOptions = options?.sessionId === undefined ? {} : { sessionId: options.sessionId };
  txn.ops.push({ check: () => void resolveLock(ns, path, lockToken, plain), apply: () => settle(plain) });
  return true;
}

function known(ns: Namespace, id: unknown): Transaction {
  const txn = typeof id === 'string' ? ns.transactions.get(id) : undefined;
  if (txn === undefined) throw errors.transactionUnknown(String(id));
  return txn;
}
