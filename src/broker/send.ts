/**
 * Sending to a queue or topic, all or nothing: every message of a batch is checked (fields, size,
 * status, quota) before any is stored. Then each gets the entity's next sequence number (or, with
 * duplicate detection, the original's when its id was seen within the window) and is enqueued,
 * fanned out, or scheduled when its scheduledEnqueueTimeUtc is in the future.
 *
 * Quota (MaxSizeInMegabytes) is checked here only, on direct sends, not on forwarded copies.
 * Within a transaction the checks run at the send and the batch is stored at commit.
 */
import { type SendableEntity, sendBlocked } from './entities.js';
import { errors } from './errors.js';
import { toRecord } from './intake.js';
import type { Namespace } from './namespace.js';
import type { Msg } from './records.js';
import { enqueue, fanOut } from './routing.js';
import { scheduleOnQueue, scheduleOnTopic } from './schedule.js';
import { transactionOf } from './transaction.js';
import type { MessageInput, SendOptions } from './types.js';

/**
 * Returns the sequence numbers (for a topic: the topic's own numbers). In a transaction the
 * batch is checked now and stored at commit, so a send has no numbers yet: [] is returned.
 */
export function send(ns: Namespace, path: string, messages: MessageInput[], options?: SendOptions): number[] {
  return accept(ns, path, messages, false, options);
}

/** Like send, but every message must carry scheduledEnqueueTimeUtc. */
export function schedule(ns: Namespace, path: string, messages: MessageInput[], options?: SendOptions): number[] {
  return accept(ns, path, messages, true, options);
}

function accept(ns: Namespace, path: string, messages: unknown, mustSchedule: boolean, options: SendOptions | undefined): number[] {
  const target = ns.registry.sendable(path);
  const records = prepare(target, messages, mustSchedule);
  const txn = transactionOf(ns, options, options?.via ?? path, options?.viaTransactionEntity === true);
  if (txn === undefined) return store(ns, target, records);
  // Scheduling answers with sequence numbers at once, so a scheduled batch reserves them now
  // (a rollback leaves a gap, as on Azure); a plain send answers with none.
  const reserved = mustSchedule ? records.map(() => target.nextSeq++) : undefined;
  txn.ops.push({
    check: () => checkSendable(ns.registry.sendable(path)),
    apply: () => store(ns, ns.registry.sendable(path), records, reserved),
  });
  return reserved ?? [];
}

function checkSendable(target: SendableEntity): void {
  const props = target.properties;
  if (sendBlocked(props.status)) throw errors.disabled(target.name, props.status === 'Disabled' ? 'disabled' : 'send disabled');
}

/** Every check a batch must pass before any of it is stored; the records to store. */
function prepare(target: SendableEntity, messages: unknown, mustSchedule: boolean): Msg[] {
  if (!Array.isArray(messages)) throw errors.argument('messages must be an array.');
  checkSendable(target);
  const props = target.properties;
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
  return records;
}

function store(ns: Namespace, target: SendableEntity, records: Msg[], reserved?: number[]): number[] {
  const props = target.properties;
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
    m.seq = m.enqSeq = reserved?.[i] ?? target.nextSeq++;
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
