/**
 * Dead-lettering a locked message on the client's request, with an optional reason and
 * description. Where the message then goes (the entity's `$DeadLetterQueue` or its
 * ForwardDeadLetteredMessagesTo target) is routing.ts, shared with the broker's own reasons
 * (MaxDeliveryCount, expiry, hop limit, missing session id).
 */
import type { SettleOptions } from './api.js';
import { checkOptionalString, checkProperties } from './argumentChecks.js';
import { errors } from './errors.js';
import { resolveLock } from './messageLock.js';
import type { Namespace } from './namespace.js';
import { moveToDeadLetter } from './routing.js';
import { settleInTransaction } from './transaction.js';
import type { DeadLetterOptions } from './types.js';

export function deadLetter(ns: Namespace, path: string, lockToken: string, options?: DeadLetterOptions, settle?: SettleOptions): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) throw errors.argument('Dead-letter options must be an object.');
  const reason = checkOptionalString(options?.reason, 'reason');
  const description = checkOptionalString(options?.description, 'description');
  const props = checkProperties(options?.propertiesToModify);
  const { sub, m } = resolveLock(ns, path, lockToken, settle);
  if (sub.deadLetter) throw errors.invalid('A message in a dead-letter queue cannot be dead-lettered again.');
  if (settleInTransaction(ns, path, lockToken, settle, (o) => deadLetter(ns, path, lockToken, options, o))) return;
  m.modify(props);
  moveToDeadLetter(ns, sub, m, reason, description);
}
