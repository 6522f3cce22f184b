/**
 * What happened to each message, as events for the test control plane's journal. The core only
 * reports; keeping, numbering and bounding them is the host's (src/control/journal.ts). With no
 * listener installed a report costs one property check.
 */
import type { BrokerEventType } from './events.js';
import type { Namespace } from './namespace.js';
import type { Msg } from './records.js';

/** Reports an event about `m` (in `entity`, default the sub-queue that holds it). */
export function note(ns: Namespace, type: BrokerEventType, m: Msg, detail?: string, entity?: string): void {
  if (ns.effects.onEvent === undefined) return;
  ns.effects.event({
    type,
    at: ns.now,
    entity: entity ?? m.home?.path ?? '',
    sessionId: m.sessionId,
    sequenceNumber: m.seq,
    messageId: m.messageId,
    deliveryCount: m.deliveryCount,
    detail,
  });
}

/** Reports a session lock event. */
export function noteSession(ns: Namespace, type: BrokerEventType, entity: string, sessionId: string): void {
  if (ns.effects.onEvent === undefined) return;
  ns.effects.event({ type, at: ns.now, entity, sessionId });
}
