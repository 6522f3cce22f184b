/**
 * Session state: an opaque byte array a session keeps across locks, readable and writable only
 * by the current lock holder, and the listing of sessions that have messages or state.
 */
import { checkCount } from './argumentChecks.js';
import { errors } from './errors.js';
import type { Namespace } from './namespace.js';
import { lockedSession } from './sessionLock.js';

export function getSessionState(ns: Namespace, path: string, sessionId: string): Uint8Array | null {
  const s = lockedSession(ns, path, sessionId);
  return s.state === null ? null : s.state.slice();
}

export function setSessionState(ns: Namespace, path: string, sessionId: string, state: Uint8Array | null): void {
  if (state !== null && !(state instanceof Uint8Array)) throw errors.argument('Session state must be a Uint8Array or null.');
  const s = lockedSession(ns, path, sessionId);
  s.state = state === null ? null : new Uint8Array(state);
  s.stateUpdatedAt = ns.now;
}

/** Sessions with messages or state, ordered by id; `lastUpdatedAfter` filters on state updates. */
export function listSessions(ns: Namespace, path: string, options: { skip: number; top: number; lastUpdatedAfter?: number }): string[] {
  if (options === null || typeof options !== 'object') throw errors.argument('listSessions options must be an object.');
  const skip = checkCount(options.skip, 'skip');
  const top = checkCount(options.top, 'top');
  const after = options.lastUpdatedAfter;
  if (after !== undefined && (typeof after !== 'number' || Number.isNaN(after))) throw errors.argument('lastUpdatedAfter must be a number.');
  const { sub } = ns.registry.receivable(path);
  if (sub.sessions === undefined) return [];
  const ids: string[] = [];
  for (const s of sub.sessions.sessions.values()) {
    if (s.messageCount === 0 && s.state === null) continue;
    if (after !== undefined && !(s.state !== null && s.stateUpdatedAt > after)) continue;
    ids.push(s.id);
  }
  ids.sort();
  return ids.slice(skip, skip + top);
}
