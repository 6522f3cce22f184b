/**
 * Scheduled messages: held until their scheduledEnqueueTimeUtc, then enqueued as if just sent
 * (with that instant as their enqueued time). On a queue a scheduled message waits in the queue
 * (counted as scheduled, visible to peek); on a topic it waits on the topic and fans out to the
 * subscriptions whose rules match when it comes due. Cancelling ignores unknown numbers, as on Azure.
 */
import { checkSequenceNumbers } from './argumentChecks.js';
import { type Deadline, DeadlineKind } from './deadlines.js';
import type { QueueEntity, TopicEntity } from './entities.js';
import type { Namespace } from './namespace.js';
import { Msg } from './records.js';
import { enqueue, fanOut } from './routing.js';
import { note } from './journal.js';

/** What a topic's scheduled-enqueue deadline points at (a queue's points at the message itself). */
interface TopicSchedule {
  topic: TopicEntity;
  m: Msg;
}

/** `m` has its sequence number; its time to live is already capped by the queue's default. */
export function scheduleOnQueue(ns: Namespace, queue: QueueEntity, m: Msg): void {
  m.state = 'scheduled';
  m.fromSchedule = true;
  queue.main.insert(m);
  note(ns, 'scheduled', m);
  m.deadline = ns.deadlines.add(m.scheduledAt!, DeadlineKind.ScheduledEnqueue, m);
}

export function scheduleOnTopic(ns: Namespace, topic: TopicEntity, m: Msg): void {
  m.state = 'scheduled';
  m.fromSchedule = true;
  topic.scheduled.set(m.seq, m);
  topic.scheduledBytes += m.size;
  note(ns, 'scheduled', m, undefined, topic.name);
  m.deadline = ns.deadlines.add(m.scheduledAt!, DeadlineKind.ScheduledEnqueue, { topic, m } satisfies TopicSchedule);
}

export function onScheduledEnqueueDue(ns: Namespace, t: Deadline): void {
  if (!(t.target instanceof Msg)) {
    const { topic, m } = t.target as TopicSchedule;
    if (m.gone || topic.deleted || topic.scheduled.get(m.seq) !== m) return;
    topic.scheduled.delete(m.seq);
    topic.scheduledBytes -= m.size;
    m.state = 'active';
    m.deadline = undefined;
    fanOut(ns, topic, m);
    return;
  }
  const m = t.target;
  if (m.gone || m.deadline !== t) return;
  m.deadline = undefined;
  const sub = m.home!;
  sub.remove(m);
  const active = m.copy();
  active.state = 'active';
  enqueue(ns, sub.owner, active);
}

export function cancelScheduled(ns: Namespace, path: string, sequenceNumbers: number[]): void {
  const target = ns.registry.sendable(path);
  for (const seq of checkSequenceNumbers(sequenceNumbers)) {
    if (target.kind === 'queue') {
      const m = target.main.index.get(seq);
      if (m !== undefined && m.state === 'scheduled') target.main.remove(m);
    } else {
      const m = target.scheduled.get(seq);
      if (m === undefined) continue;
      target.scheduled.delete(seq);
      target.scheduledBytes -= m.size;
      ns.deadlines.cancel(m.deadline);
      m.gone = true;
    }
  }
}

/** The entity is being deleted: its scheduled messages go with it. */
export function dropTopicSchedule(ns: Namespace, topic: TopicEntity): void {
  for (const m of topic.scheduled.values()) {
    ns.deadlines.cancel(m.deadline);
    m.gone = true;
  }
  topic.scheduled.clear();
  topic.scheduledBytes = 0;
}
