/**
 * Sending to a queue or topic, all or nothing: every message of a batch is checked (fields, size,
 * status, quota) before any is stored. Then each gets the entity's next sequence number (or, with
 * duplicate detection, the original's when its id was seen within the window) and is enqueued,
 * fanned out, or scheduled when its scheduledEnqueueTimeUtc is in the future.
 *
 * Quota (MaxSizeInMegabytes) is checked here only, on direct sends, not on forwarded copies.
 */
import { type SendableEntity, sendBlocked } from './entities.js';
import { errors } from './errors.js';
import { toRecord } from './intake.js';
import type { Namespace } from './namespace.js';
import type { Msg } from './records.js';
import { enqueue, fanOut } from './routing.js';
import { scheduleOnQueue, scheduleOnTopic } from './schedule.js';
import type { MessageInput } from './types.js';

/** Returns the sequence numbers (for a topic: the topic's own numbers). */
export function send(ns: Namespace, path: string, messages: MessageInput[]): number[] {
  return accept(ns, ns.registry.sendable(path), messages, false);
}

/** Like send, but every message must carry scheduledEnqueueTimeUtc. */
export function schedule(ns: Namespace, path: string, messages: MessageInput[]): number[] {
  return accept(ns, ns.registry.sendable(path), messages, true);
}

function accept(ns: Namespace, target: SendableEntity, messages: unknown, mustSchedule: boolean): number[] {
  if (!Array.isArray(messages)) throw errors.argument('messages must be an array.');
  const props = target.properties;
  if (sendBlocked(props.status)) throw errors.disabled(target.name, props.status === 'Disabled' ? 'disabled' : 'send disabled');
  const limits = {
    maxMessageBytes: props.maxMessageSizeInKilobytes * 1024,
    requiresSession: target.kind === 'queue' && target.properties.requiresSession,
  };
  const records: Msg[] = new Array(messages.length);
  let batchBytes = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = toRecord(messages[i], limits);
    if (mustSchedule && m.scheduledAt === undefined) throw errors.argument('A scheduled message needs scheduledEnqueueTimeUtc.');
    batchBytes += m.size;
    records[i] = m;
  }
  const held = target.kind === 'queue' ? target.main.sizeInBytes + target.dlq.sizeInBytes : target.sizeInBytes();
  if (held + batchBytes > props.maxSizeInMegabytes * 1024 * 1024) throw errors.quota(target.name, props.maxSizeInMegabytes);

  const now = ns.now;
  target.times.accessedAt = now;
  const dedupe = props.requiresDuplicateDetection;
  const seqs: number[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const m = records[i]!;
    if (dedupe) {
      const original = target.duplicates.check(m.messageId, now, props.duplicateDetectionHistoryTimeWindowMs);
      if (original !== undefined) {
        seqs[i] = original;
        continue;
      }
    }
    m.seq = m.enqSeq = target.nextSeq++;
    seqs[i] = m.seq;
    if (dedupe) target.duplicates.record(m.messageId, now, m.seq);
    if (props.defaultMessageTimeToLiveMs < m.ttl) m.ttl = props.defaultMessageTimeToLiveMs;
    const scheduled = m.scheduledAt !== undefined && m.scheduledAt > now;
    m.enqueuedAt = scheduled ? m.scheduledAt! : now;
    if (target.kind === 'queue') {
      if (scheduled) scheduleOnQueue(ns, target, m);
      else enqueue(ns, target, m);
    } else if (scheduled) {
      scheduleOnTopic(ns, target, m);
    } else {
      fanOut(ns, target, m);
    }
  }
  return seqs;
}
