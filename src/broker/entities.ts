/**
 * The entity records of a namespace: queues, topics and subscriptions with their properties,
 * timestamps, sequence counters and sub-queues, and what their status allows. Behaviour lives
 * elsewhere; these hold state.
 */
import type { Deadlines } from './deadlines.js';
import { DuplicateDetector } from './duplicates.js';
import { errors } from './errors.js';
import { deadLetterPath, keyOf, subscriptionPath } from './paths.js';
import { type Msg, type Receivable, SubQueue } from './records.js';
import type { Rule } from './rules.js';
import type {
  EntityStatus,
  EntityTimes,
  QueueProperties,
  ReceivableProperties,
  RuntimeInfo,
  SubscriptionProperties,
  TopicProperties,
} from './types.js';

/** Queues and topics: what a sender can address. */
interface SendTarget {
  readonly name: string;
  deleted: boolean;
  nextSeq: number;
  readonly duplicates: DuplicateDetector;
  readonly times: EntityTimes;
}

export class ReceivableEntity<P extends ReceivableProperties = ReceivableProperties> {
  readonly main: SubQueue;
  readonly dlq: SubQueue;
  deleted = false;

  constructor(
    /** Path as created: `queue` or `topic/Subscriptions/sub`. */
    readonly path: string,
    public properties: P,
    readonly times: EntityTimes,
    deadlines: Deadlines,
  ) {
    this.main = new SubQueue(path, false, properties.requiresSession, deadlines);
    this.dlq = new SubQueue(deadLetterPath(path), true, false, deadlines);
    this.main.owner = this;
    this.dlq.owner = this;
  }

  runtime(): RuntimeInfo {
    const active = this.main.activeCount;
    const dead = this.dlq.activeCount;
    const scheduled = this.main.scheduledCount;
    return {
      activeMessageCount: active,
      deadLetterMessageCount: dead,
      scheduledMessageCount: scheduled,
      transferMessageCount: 0,
      transferDeadLetterMessageCount: 0,
      totalMessageCount: active + dead + scheduled,
      sizeInBytes: this.main.sizeInBytes + this.dlq.sizeInBytes,
    };
  }
}

export class QueueEntity extends ReceivableEntity<QueueProperties> implements SendTarget {
  readonly kind = 'queue' as const;
  nextSeq = 1;
  readonly duplicates = new DuplicateDetector();

  constructor(
    readonly name: string,
    properties: QueueProperties,
    times: EntityTimes,
    deadlines: Deadlines,
  ) {
    super(name, properties, times, deadlines);
  }
}

export class SubscriptionEntity extends ReceivableEntity<SubscriptionProperties> {
  readonly kind = 'subscription' as const;
  /** Rules by lower-case name, in creation order. */
  readonly rules = new Map<string, Rule>();

  constructor(
    readonly topic: TopicEntity,
    readonly name: string,
    properties: SubscriptionProperties,
    times: EntityTimes,
    deadlines: Deadlines,
  ) {
    super(subscriptionPath(topic.name, name), properties, times, deadlines);
  }
}

export class TopicEntity implements SendTarget {
  readonly kind = 'topic' as const;
  deleted = false;
  nextSeq = 1;
  readonly duplicates = new DuplicateDetector();
  readonly subscriptions = new Map<string, SubscriptionEntity>();
  /** Scheduled messages wait on the topic and fan out when due. */
  readonly scheduled = new Map<number, Msg>();
  scheduledBytes = 0;

  constructor(
    readonly name: string,
    public properties: TopicProperties,
    readonly times: EntityTimes,
  ) {}

  get key(): string {
    return keyOf(this.name);
  }

  sizeInBytes(): number {
    let total = this.scheduledBytes;
    for (const s of this.subscriptions.values()) total += s.main.sizeInBytes + s.dlq.sizeInBytes;
    return total;
  }
}

export type SendableEntity = QueueEntity | TopicEntity;
export type AnyReceivable = QueueEntity | SubscriptionEntity;

export const sendBlocked = (s: EntityStatus): boolean => s === 'Disabled' || s === 'SendDisabled';
export const receiveBlocked = (s: EntityStatus): boolean => s === 'Disabled' || s === 'ReceiveDisabled';

export function checkReceivable(entity: Receivable): void {
  const status = entity.properties.status;
  if (receiveBlocked(status)) throw errors.disabled(entity.path, status === 'Disabled' ? 'disabled' : 'receive disabled');
}
