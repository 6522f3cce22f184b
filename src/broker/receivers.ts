/**
 * Receiver handles given to adapters. They hold no messages and no locks (locks belong to the
 * sub-queue); a receiver is a cursor with a mode, a notification callback and, for a session
 * receiver, the session lock it holds.
 */
import type { Receiver, ReceiverOptions, SessionReceiver, SessionReceiverOptions } from './api.js';
import type { BrokerError } from './errors.js';
import type { Session, SubQueue } from './records.js';
import type { ReceiveMode, StoredMessage } from './types.js';

/** What a receiver asks of the broker; implemented by Broker so every call runs as one operation. */
export interface ReceiverHost {
  receiveFor(receiver: ReceiverImpl, max: number): StoredMessage[];
  closeReceiver(receiver: ReceiverImpl): void;
  renewSessionFor(receiver: SessionReceiverImpl): number;
}

export class ReceiverImpl implements Receiver {
  closed = false;
  notifyQueued = false;
  readonly onAvailable: (() => void) | undefined;
  readonly owner: string | undefined;

  constructor(
    protected readonly host: ReceiverHost,
    readonly sub: SubQueue,
    readonly path: string,
    readonly mode: ReceiveMode,
    options: ReceiverOptions,
  ) {
    this.onAvailable = options.onAvailable;
    this.owner = typeof options.owner === 'string' ? options.owner : undefined;
  }

  receive(max: number): StoredMessage[] {
    return this.host.receiveFor(this, max);
  }

  close(): void {
    if (!this.closed) this.host.closeReceiver(this);
  }

  fireAvailable(): void {
    this.notifyQueued = false;
    if (!this.closed) this.onAvailable?.();
  }
}

export class SessionReceiverImpl extends ReceiverImpl implements SessionReceiver {
  private readonly onSessionLockLost: ((error: BrokerError) => void) | undefined;

  constructor(
    host: ReceiverHost,
    sub: SubQueue,
    path: string,
    readonly session: Session,
    options: SessionReceiverOptions,
  ) {
    super(host, sub, path, options.mode, options);
    this.onSessionLockLost = options.onSessionLockLost;
  }

  get sessionId(): string {
    return this.session.id;
  }

  get sessionLockedUntilUtc(): number {
    return this.session.lockedUntil;
  }

  /** True while this receiver is the session's current holder. */
  get holdsLock(): boolean {
    return !this.closed && this.session.holder === this;
  }

  renewSessionLock(): number {
    return this.host.renewSessionFor(this);
  }

  lockLost(error: BrokerError): void {
    this.onSessionLockLost?.(error);
  }
}
