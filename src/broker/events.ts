/**
 * The events the core reports for the test control plane's journal (see journal.ts), in a module
 * of their own so that effects.ts can name them without importing the namespace.
 */
export type BrokerEventType =
  | 'enqueued'
  | 'scheduled'
  | 'delivered'
  | 'completed'
  | 'abandoned'
  | 'released'
  | 'deferred'
  | 'deadlettered'
  | 'expired'
  | 'lockLost'
  | 'sessionAccepted'
  | 'sessionReleased'
  | 'sessionLockLost'
  /** Removed by hand through the test control plane (detail `control`). */
  | 'deleted';

export interface BrokerEvent {
  type: BrokerEventType;
  /** The broker's time of the operation, epoch ms. */
  at: number;
  /** The sub-queue (or topic) path as created; a dead-letter queue ends in /$DeadLetterQueue. */
  entity: string;
  sessionId?: string;
  sequenceNumber?: number;
  messageId?: string;
  deliveryCount?: number;
  /** enqueued: send, forward or schedule; deadlettered: the reason. */
  detail?: string;
}
