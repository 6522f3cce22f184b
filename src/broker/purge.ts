/**
 * Deleting messages in bulk (the management "delete messages" operation): the oldest active,
 * unlocked messages first, optionally only those enqueued before an instant or of one session.
 */
import type { DeleteMessagesOptions } from './api.js';
import { checkCount, checkOptionalString } from './argumentChecks.js';
import { errors } from './errors.js';
import type { Namespace } from './namespace.js';
import type { Msg } from './records.js';

/** Returns how many were deleted. */
export function deleteMessages(ns: Namespace, path: string, options: DeleteMessagesOptions): number {
  if (options === null || typeof options !== 'object') throw errors.argument('Delete options must be an object.');
  const count = checkCount(options.count, 'count');
  const before = options.enqueuedBeforeUtc;
  if (before !== undefined && (typeof before !== 'number' || Number.isNaN(before))) throw errors.argument('enqueuedBeforeUtc must be a number.');
  const id = checkOptionalString(options.sessionId, 'sessionId');
  const { sub } = ns.registry.receivable(path);
  const source = id !== undefined && sub.sessions !== undefined ? sub.sessions.get(id)?.index : sub.index;
  if (source === undefined || count === 0) return 0;
  const victims: Msg[] = [];
  for (const m of source.from(0)) {
    if (m.state !== 'active' || m.lockToken !== undefined) continue;
    if (before !== undefined && m.enqueuedAt >= before) continue;
    if (id !== undefined && m.sessionId !== id) continue;
    victims.push(m);
    if (victims.length >= count) break;
  }
  for (const m of victims) sub.remove(m);
  return victims.length;
}
