/**
 * A client's receiver link on a queue, subscription or dead-letter queue (the emulator sends):
 * deliveries with .NET-order GUID tags as the link's credit allows, and settlement by the client.
 * Credit, drain and windows are the engine's; this class only decides what to send and what a
 * settlement means to the broker.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BrokerApi, Receiver, SessionReceiver } from '../broker/api.js';
import { BrokerError } from '../broker/errors.js';
import type { ReceiveMode } from '../broker/types.js';
import { encodeMessageParts } from './codec.js';
import type { ConnectionContext, LinkHandler } from './connectionContext.js';
import { transactionOf, type InTransaction } from './coordinator.js';
import { guidToDotnetBytes, dotnetBytesToGuid } from './dotnet.js';
import { outcomes, scalarText, type DeliveryState, type OutgoingDelivery, type OutgoingLink } from './engine/index.js';
import { toAmqpError } from './errors.js';
import { guardLink } from './linkGuard.js';
import { propertiesToModify, settlementText } from './propertyValues.js';

const DEAD_LETTER_CONDITION = 'com.microsoft:dead-letter';
const MAX_BATCH = 256;
/** As Azure's deliveries: the message state, and the lock token also as a delivery annotation (Python reads it there). */
const DELIVERY_ENCODING = { withState: true, lockTokenAnnotation: true } as const;
const { OUTCOME } = outcomes;

type Described = { descriptor: unknown; value: unknown };
const plainMap = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) ? (v as Record<string, unknown>) : undefined;

export class DeliveryLink implements LinkHandler {
  private receiver?: Receiver;
  private pumpScheduled = false;
  private disposed = false;
  /** Settlement and delivery logging runs per message: decide once whether it is on. */
  private readonly debug: boolean;

  constructor(
    private readonly link: OutgoingLink,
    private readonly conn: ConnectionContext,
    private readonly broker: BrokerApi,
    readonly path: string,
    readonly mode: ReceiveMode,
    private readonly log: Logger,
  ) {
    this.debug = log.isLevelEnabled('debug');
    link.events = {
      onCredit: () => this.deliver(),
      onDisposition: (d, state, settled) => this.onSettlement(d, state, settled),
      onDetach: () => this.dispose(),
    };
  }

  get sessionId(): string | undefined {
    return (this.receiver as SessionReceiver | undefined)?.sessionId;
  }

  /** Starts delivering through a receiver the broker opened for this link. */
  bind(receiver: Receiver): void {
    this.receiver = receiver;
    this.schedulePump();
  }

  /**
   * The broker says messages may be available. It calls from inside its own operations (another
   * client's send), so delivery waits for the microtask queue instead of re-entering the broker.
   */
  schedulePump = (): void => {
    if (this.pumpScheduled || this.disposed) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.deliver();
    });
  };

  /** Runs from a microtask or the engine's credit and drain events: a failure is this link's alone. */
  private deliver(): void {
    guardLink(this.link, this.log, 'delivery', () => this.pump());
  }

  private pump(): void {
    let sent = 0;
    try {
      // In batches, asking the link each time: the socket may fill up (back-pressure) long
      // before a large credit is used.
      for (;;) {
        if (this.disposed || !this.receiver || this.receiver.closed) break;
        const room = Math.min(this.link.sendable(), MAX_BATCH);
        if (room <= 0) break;
        const messages = this.receiver.receive(room);
        for (const m of messages) this.link.send(encodeMessageParts(m, DELIVERY_ENCODING), guidToDotnetBytes(m.lockToken ?? randomUUID()));
        sent += messages.length;
        if (messages.length < room) break;
      }
    } catch (e) {
      // The broker refusing the take (a lost session lock, a disabled entity, an injected fault)
      // is the link's answer, not an emulator failure.
      if (e instanceof BrokerError) this.log.debug({ code: e.code }, 'receive refused');
      else this.log.error({ err: e }, 'delivery failed');
      this.fail(e);
      return;
    }
    if (this.debug && sent > 0) this.log.debug({ count: sent, sessionId: this.sessionId }, 'delivered');
  }

  /** The client settled or gave an outcome for a delivery. */
  private onSettlement(delivery: OutgoingDelivery, state: DeliveryState | undefined, remoteSettled: boolean): void {
    if (this.mode === 'receiveAndDelete' || !state) {
      // Nothing to apply (a settle without outcome keeps the lock until it expires).
      if (remoteSettled) this.link.settle(delivery, null, false);
      return;
    }
    const lockToken = dotnetBytesToGuid(delivery.tag);
    let reply: Buffer;
    let kind = 'unknown';
    let txn: InTransaction | undefined;
    try {
      // In a transaction the outcome comes wrapped in a transactional-state, and so goes ours.
      txn = transactionOf(this.conn, state);
      if (txn) state = txn.outcome ?? { code: -1, fields: [] };
      const opts = { sessionId: this.sessionId, transactionId: txn?.id };
      switch (state.code) {
        case OUTCOME.accepted:
          kind = 'completed';
          this.broker.complete(this.path, lockToken, opts);
          reply = outcomes.ACCEPTED;
          break;
        case OUTCOME.released:
          kind = 'released';
          this.broker.release(this.path, lockToken, opts);
          reply = outcomes.RELEASED;
          break;
        case OUTCOME.modified: {
          const [deliveryFailed, undeliverableHere, annotations] = state.fields;
          const props = propertiesToModify(annotations);
          kind = undeliverableHere === true ? 'deferred' : 'abandoned';
          if (undeliverableHere === true) this.broker.defer(this.path, lockToken, props, opts);
          else this.broker.abandon(this.path, lockToken, props, opts);
          reply = outcomes.modified(deliveryFailed === true, undeliverableHere === true);
          break;
        }
        case OUTCOME.rejected: {
          kind = 'dead-lettered';
          this.deadLetter(lockToken, state.fields[0] as Described | undefined, opts);
          // An outcome without an error: JS treats an error in the reply as a failed settlement.
          reply = outcomes.REJECTED;
          break;
        }
        default:
          if (remoteSettled) this.link.settle(delivery, null, false);
          return;
      }
      if (this.debug) this.log.debug({ lockToken, outcome: kind }, 'settled');
    } catch (e) {
      const err = toAmqpError(e);
      this.log.debug({ lockToken, outcome: kind, condition: err.condition }, 'settlement refused');
      reply = outcomes.rejected(err);
    }
    // Python settles first (fire and forget); JS waits for our settled disposition. Either way
    // the delivery's slot is freed now, by our settlement.
    if (txn) reply = outcomes.transactional(txn.raw, reply);
    this.link.settle(delivery, reply, !remoteSettled);
    this.schedulePump();
  }

  private deadLetter(lockToken: string, errorValue: Described | undefined, opts: { sessionId?: string }): void {
    const fields = Array.isArray(errorValue?.value) ? (errorValue.value as unknown[]) : [];
    const [condition, errorDescription, rawInfo] = fields;
    const info: Record<string, unknown> = { ...(plainMap(rawInfo) ?? {}) };
    const reason = settlementText(info.DeadLetterReason, 'DeadLetterReason');
    const description = settlementText(info.DeadLetterErrorDescription ?? errorDescription, 'dead-letter description');
    delete info.DeadLetterReason;
    delete info.DeadLetterErrorDescription;
    // The error's condition is only a fallback reason: one that is not text is ignored.
    const conditionText = scalarText(condition);
    this.broker.deadLetter(
      this.path,
      lockToken,
      {
        reason: reason ?? (conditionText && conditionText !== DEAD_LETTER_CONDITION ? conditionText : undefined),
        description,
        propertiesToModify: Object.keys(info).length ? propertiesToModify(info) : undefined,
      },
      opts,
    );
  }

  /** The session lock expired or the receiver failed: detach with the broker's reason. */
  fail(e: unknown): void {
    const err = toAmqpError(e);
    this.log.debug({ condition: err.condition }, 'detaching');
    this.dispose();
    this.link.detach(err);
  }

  /** The broker calls this once its operation is done; a failure here is this link's alone. */
  onSessionLockLost = (e: BrokerError): void => guardLink(this.link, this.log, 'ending a receiver whose session lock was lost', () => this.fail(e));

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.receiver?.close();
  }
}
