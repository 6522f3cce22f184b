/**
 * A client's receiver link on a queue, subscription or dead-letter queue (the emulator sends):
 * credit, drain, deliveries with .NET-order GUID tags, and settlement by the client
 * (PROTOCOL.md §5–§8).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BrokerApi, Receiver, SessionReceiver } from '../broker/api.js';
import type { BrokerError } from '../broker/errors.js';
import type { PropertiesToModify, ReceiveMode } from '../broker/types.js';
import { encodeMessage } from './codec.js';
import type { LinkHandler } from './connectionContext.js';
import { guidToDotnetBytes, dotnetBytesToGuid } from './dotnet.js';
import { toAmqpError } from './errors.js';
import { messageCodec } from './rhea.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const DEAD_LETTER_CONDITION = 'com.microsoft:dead-letter';

// Outcomes are immutable once encoded: build the common replies once, not per settlement.
const ACCEPTED = messageCodec.accepted().described();
const RELEASED = messageCodec.released().described();
const REJECTED = messageCodec.rejected().described();

export class DeliveryLink implements LinkHandler {
  private receiver?: Receiver;
  private pumpScheduled = false;
  private disposed = false;
  /** Settlement and delivery logging runs per message: decide once whether it is on. */
  private readonly debug: boolean;

  constructor(
    private readonly link: any,
    private readonly broker: BrokerApi,
    readonly path: string,
    readonly mode: ReceiveMode,
    private readonly log: Logger,
  ) {
    this.debug = log.isLevelEnabled('debug');
  }

  get sessionId(): string | undefined {
    return (this.receiver as SessionReceiver | undefined)?.sessionId;
  }

  /** Starts delivering through a receiver the broker opened for this link. */
  bind(receiver: Receiver): void {
    this.receiver = receiver;
    this.schedulePump();
  }

  /** Broker said messages may be available, or the client gave credit. */
  schedulePump = (): void => {
    if (this.pumpScheduled || this.disposed) return;
    this.pumpScheduled = true;
    // Never deliver in the tick that processed the attach: rhea would write the transfer before
    // its own attach reply (PROTOCOL.md §5.4). In a fresh macrotask rhea's credit is also current.
    setImmediate(this.pump);
  };

  private pump = (): void => {
    this.pumpScheduled = false;
    // Runs from a timer: an exception here would take the whole process down, not one link.
    try {
      this.deliver();
    } catch (e) {
      this.log.error({ err: e }, 'delivery failed');
      this.fail(e);
    }
  };

  private deliver(): void {
    const link = this.link;
    if (this.disposed || !this.receiver || this.receiver.closed || !link.is_open()) return;
    // A draining client is answered at once; sending more during a drain only strands messages.
    if (link._draining) return;
    const room = Math.min(link.credit, link.session.outgoing.available());
    if (room <= 0) return;
    let messages;
    try {
      messages = this.receiver.receive(room);
    } catch (e) {
      this.fail(e);
      return;
    }
    for (const m of messages) {
      const tag = guidToDotnetBytes(m.lockToken ?? randomUUID());
      link.send(encodeMessage(m), tag, 0);
    }
    if (this.debug && messages.length > 0) this.log.debug({ count: messages.length, sessionId: this.sessionId }, 'delivered');
  }

  onDraining(): void {
    this.link.set_drained(true);
  }

  /** The client settled a delivery (accepted, released, modified or rejected). */
  onSettlement(kind: 'accepted' | 'released' | 'modified' | 'rejected', delivery: any): void {
    if (this.mode === 'receiveAndDelete') return;
    const lockToken = dotnetBytesToGuid(delivery.tag);
    const opts = { sessionId: this.sessionId };
    const state = delivery.remote_state ?? {};
    let reply: unknown;
    try {
      switch (kind) {
        case 'accepted':
          this.broker.complete(this.path, lockToken, opts);
          reply = ACCEPTED;
          break;
        case 'released':
          this.broker.release(this.path, lockToken, opts);
          reply = RELEASED;
          break;
        case 'modified': {
          const props = (state.message_annotations ?? undefined) as PropertiesToModify;
          if (state.undeliverable_here) this.broker.defer(this.path, lockToken, props, opts);
          else this.broker.abandon(this.path, lockToken, props, opts);
          reply = messageCodec.modified({ undeliverable_here: !!state.undeliverable_here, delivery_failed: !!state.delivery_failed }).described();
          break;
        }
        case 'rejected': {
          const error = state.error ?? {};
          const info: Record<string, unknown> = { ...(error.info ?? {}) };
          const reason = info.DeadLetterReason;
          const description = info.DeadLetterErrorDescription ?? error.description;
          delete info.DeadLetterReason;
          delete info.DeadLetterErrorDescription;
          this.broker.deadLetter(
            this.path,
            lockToken,
            {
              reason: reason === undefined || reason === null ? (error.condition && error.condition !== DEAD_LETTER_CONDITION ? String(error.condition) : undefined) : String(reason),
              description: description === undefined || description === null ? undefined : String(description),
              propertiesToModify: Object.keys(info).length ? info : undefined,
            },
            opts,
          );
          // An outcome without an error: JS treats an error in the reply as a failed settlement.
          reply = REJECTED;
          break;
        }
      }
      if (this.debug) this.log.debug({ lockToken, outcome: kind }, 'settled');
    } catch (e) {
      const err = toAmqpError(e);
      this.log.debug({ lockToken, outcome: kind, condition: err.condition }, 'settlement refused');
      reply = messageCodec.rejected({ error: err }).described();
    }
    // Python settles first (fire and forget); JS waits for our settled disposition.
    if (!delivery.remote_settled) delivery.update(true, reply);
    this.schedulePump();
  }

  /** The session lock expired or the receiver failed: detach with the broker's reason. */
  fail(e: unknown): void {
    const err = toAmqpError(e);
    this.log.debug({ condition: err.condition }, 'detaching');
    this.dispose();
    try {
      if (!this.link.is_closed()) this.link.close(err);
    } catch (closeError) {
      this.log.debug({ err: closeError }, 'link already gone');
    }
  }

  onSessionLockLost = (e: BrokerError): void => this.fail(e);

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.receiver?.close();
  }
}
