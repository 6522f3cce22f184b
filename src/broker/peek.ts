/**
 * Browsing: active, deferred and scheduled messages from a sequence number on, in order, without
 * locking or counting a delivery.
 */
import { checkCount, checkOptionalString } from './argumentChecks.js';
import { touch } from './autoDelete.js';
import type { Namespace } from './namespace.js';
import { snapshot } from './snapshot.js';
import type { StoredMessage } from './types.js';

export function peek(ns: Namespace, path: string, fromSequenceNumber: number, maxCount: number, sessionId?: string): StoredMessage[] {
  const from = checkCount(fromSequenceNumber, 'fromSequenceNumber');
  const max = checkCount(maxCount, 'maxCount');
  const id = checkOptionalString(sessionId, 'sessionId');
  const { entity, sub } = ns.registry.receivable(path);
  touch(ns, entity);
  const out: StoredMessage[] = [];
  if (max === 0) return out;
  const source = id !== undefined && sub.sessions !== undefined ? sub.sessions.get(id)?.index : sub.index;
  if (source === undefined) return out;
  for (const m of source.from(from)) {
    if (id !== undefined && m.sessionId !== id) continue;
    out.push(snapshot(m));
    if (out.length >= max) break;
  }
  return out;
}
