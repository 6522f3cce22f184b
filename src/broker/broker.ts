/**
 * The broker: BrokerApi as a facade of one-line verbs. Each runs as one operation (operation.ts)
 * on the namespace's state, and is implemented by the module of its concept.
 */
import type {
  BrokerApi,
  BrokerControlApi,
  BrokerOptions,
  DeleteMessagesOptions,
  QueueView,
  Receiver,
  ReceiverOptions,
  SessionReceiver,
  SessionReceiverOptions,
  SettleOptions,
  SubscriptionView,
  TopicView,
} from './api.js';
import { checkFunction } from './argumentChecks.js';
import { countHeld, expireMessageLocks, expireSessionLock, inspectMessages, inspectSessions, purgeEntity } from './control.js';
import type { InspectedSession, PurgeOptions } from './controlTypes.js';
import { deadLetter } from './deadLetter.js';
import { defer, receiveDeferred } from './deferred.js';
import { Effects, errorReporter } from './effects.js';
import * as admin from './entityAdmin.js';
import { type BrokerError, errors } from './errors.js';
import { renewLock } from './messageLock.js';
import { Namespace } from './namespace.js';
import { OperationFrame } from './operation.js';
import { peek } from './peek.js';
import { removeMessage, resubmitDeadLettered } from './controlMessages.js';
import { deleteMessages } from './purge.js';
import { closeReceiver, openReceiver, receive } from './receive.js';
import type { ReceiverHost, ReceiverImpl, SessionReceiverImpl } from './receivers.js';
import { cancelScheduled } from './schedule.js';
import { schedule, send } from './send.js';
import { checkSku } from './sku.js';
import { acceptNextSession, acceptSession, renewReceiverSession, renewSessionLock } from './sessionLock.js';
import { getSessionState, listSessions, setSessionState } from './sessionState.js';
import { abandon, complete, release } from './settle.js';
import { declareTransaction, dischargeTransaction } from './transaction.js';
// Signatures as in api.ts; the types by their module's name rather than a second list of them.
import type * as t from './types.js';

/** tick() is an operation with no verb: it only runs what is due. */
const nothing = (): void => undefined;

export class Broker implements BrokerApi, BrokerControlApi, ReceiverHost {
  private readonly ns: Namespace;
  private readonly op: OperationFrame;

  constructor(options: BrokerOptions) {
    if (options === null || typeof options !== 'object' || typeof options.clock?.now !== 'function') {
      throw errors.argument('Broker needs options.clock.');
    }
    checkFunction(options.onWakeup, 'onWakeup');
    checkFunction(options.onError, 'onError');
    checkFunction(options.onEvent, 'onEvent');
    const reportError = errorReporter(options.onError);
    const effects = new Effects(reportError);
    effects.onEvent = options.onEvent;
    this.ns = new Namespace(effects, checkSku(options.sku));
    this.op = new OperationFrame(this.ns, options.clock, options.onWakeup, reportError);
  }

  /** A verb whose arguments go unchanged to `fn`, run as one operation. */
  private verb<A extends unknown[], R>(fn: (ns: Namespace, ...args: A) => R): (...args: A) => R {
    return (...args) => this.op.run(fn, ...args);
  }

  // ---- time -------------------------------------------------------------------------------

  nextDueAt(): number | undefined {
    return this.ns.deadlines.nextDueAt();
  }

  tick(): void {
    this.op.run(nothing);
  }

  // ---- entities ---------------------------------------------------------------------------

  get sku(): t.NamespaceSku {
    return this.ns.sku;
  }

  // Kind by verb, each entityAdmin's function run as one operation: the arguments pass through
  // unchanged, so the signatures are entityAdmin's (`implements BrokerApi` checks them).
  createQueue = this.verb(admin.createQueue);
  getQueue = this.verb(admin.getQueue);
  updateQueue = this.verb(admin.updateQueue);
  deleteQueue = this.verb(admin.deleteQueue);
  listQueues = this.verb(admin.listQueues);

  createTopic = this.verb(admin.createTopic);
  getTopic = this.verb(admin.getTopic);
  updateTopic = this.verb(admin.updateTopic);
  deleteTopic = this.verb(admin.deleteTopic);
  listTopics = this.verb(admin.listTopics);

  createSubscription = this.verb(admin.createSubscription);
  getSubscription = this.verb(admin.getSubscription);
  updateSubscription = this.verb(admin.updateSubscription);
  deleteSubscription = this.verb(admin.deleteSubscription);
  listSubscriptions = this.verb(admin.listSubscriptions);

  createRule = this.verb(admin.createRule);
  getRule = this.verb(admin.getRule);
  updateRule = this.verb(admin.updateRule);
  deleteRule = this.verb(admin.deleteRule);
  listRules = this.verb(admin.listRules);

  /** A lookup only: no operation, so no deadline runs. */
  entityKind(path: string): 'queue' | 'topic' | 'subscription' | undefined {
    if (typeof path !== 'string' || path.length === 0) return undefined;
    return this.ns.registry.lookup(path)?.entity.kind;
  }
  runtime(path: string): t.RuntimeInfo {
    return this.op.run(admin.runtime, path);
  }

  // ---- sending ----------------------------------------------------------------------------

  send(path: string, messages: t.MessageInput[], options?: t.SendOptions): number[] {
    return this.op.run(send, path, messages, options);
  }
  schedule(path: string, messages: t.MessageInput[], options?: t.SendOptions): number[] {
    return this.op.run(schedule, path, messages, options);
  }
  cancelScheduled(path: string, sequenceNumbers: number[]): void {
    this.op.run(cancelScheduled, path, sequenceNumbers);
  }

  // ---- receiving --------------------------------------------------------------------------

  openReceiver(path: string, options: ReceiverOptions): Receiver {
    return this.op.run(openReceiver, this, path, options);
  }
  acceptSession(path: string, sessionId: string, options: SessionReceiverOptions): SessionReceiver {
    return this.op.run(acceptSession, this, path, sessionId, options);
  }
  acceptNextSession(
    path: string,
    options: SessionReceiverOptions & { timeoutMs: number },
    done: (error: BrokerError | undefined, receiver: SessionReceiver | undefined) => void,
  ): () => void {
    return this.op.run(acceptNextSession, this, path, options, done);
  }

  // What receiver handles call back (ReceiverHost), each as one operation too.
  receiveFor(r: ReceiverImpl, max: number): t.StoredMessage[] {
    return this.op.run(receive, r, max);
  }
  closeReceiver(r: ReceiverImpl): void {
    this.op.run(closeReceiver, r);
  }
  renewSessionFor(r: SessionReceiverImpl): number {
    return this.op.run(renewReceiverSession, r);
  }

  // ---- settlement -------------------------------------------------------------------------

  complete(path: string, lockToken: string, options?: SettleOptions): void {
    this.op.run(complete, path, lockToken, options);
  }
  abandon(path: string, lockToken: string, propertiesToModify?: t.PropertiesToModify, options?: SettleOptions): void {
    this.op.run(abandon, path, lockToken, propertiesToModify, options);
  }
  release(path: string, lockToken: string, options?: SettleOptions): void {
    this.op.run(release, path, lockToken, options);
  }
  defer(path: string, lockToken: string, propertiesToModify?: t.PropertiesToModify, options?: SettleOptions): void {
    this.op.run(defer, path, lockToken, propertiesToModify, options);
  }
  deadLetter(path: string, lockToken: string, options?: t.DeadLetterOptions, settle?: SettleOptions): void {
    this.op.run(deadLetter, path, lockToken, options, settle);
  }
  renewLock(path: string, lockTokens: string[], options?: SettleOptions): number[] {
    return this.op.run(renewLock, path, lockTokens, options);
  }

  // ---- transactions -------------------------------------------------------------------------

  declareTransaction(): string {
    return this.op.run(declareTransaction);
  }
  dischargeTransaction(transactionId: string, fail: boolean): void {
    this.op.run(dischargeTransaction, transactionId, fail);
  }

  // ---- browsing and by-sequence-number ------------------------------------------------------

  peek(path: string, fromSequenceNumber: number, maxCount: number, sessionId?: string): t.StoredMessage[] {
    return this.op.run(peek, path, fromSequenceNumber, maxCount, sessionId);
  }
  receiveDeferred(path: string, sequenceNumbers: number[], mode: t.ReceiveMode, sessionId?: string): t.StoredMessage[] {
    return this.op.run(receiveDeferred, path, sequenceNumbers, mode, sessionId);
  }
  deleteMessages(path: string, options: DeleteMessagesOptions): number {
    return this.op.run(deleteMessages, path, options);
  }

  // ---- sessions ---------------------------------------------------------------------------

  renewSessionLock(path: string, sessionId: string): number {
    return this.op.run(renewSessionLock, path, sessionId);
  }
  getSessionState(path: string, sessionId: string): Uint8Array | null {
    return this.op.run(getSessionState, path, sessionId);
  }
  setSessionState(path: string, sessionId: string, state: Uint8Array | null): void {
    this.op.run(setSessionState, path, sessionId, state);
  }
  listSessions(path: string, options: { skip: number; top: number; lastUpdatedAfter?: number }): string[] {
    return this.op.run(listSessions, path, options);
  }

  // ---- test control plane -----------------------------------------------------------------

  purge(path: string, options?: PurgeOptions): number {
    return this.op.run(purgeEntity, path, options);
  }
  expireMessageLocks(path: string, sequenceNumber?: number): number {
    return this.op.run(expireMessageLocks, path, sequenceNumber);
  }
  expireSessionLock(path: string, sessionId: string): boolean {
    return this.op.run(expireSessionLock, path, sessionId);
  }
  inspectMessages(path: string): (t.StoredMessage & { lockHolder?: string })[] {
    return this.op.run(inspectMessages, path);
  }
  inspectSessions(path: string): InspectedSession[] {
    return this.op.run(inspectSessions, path);
  }
  countHeld(path: string): { deferred: number; locked: number } {
    return this.op.run(countHeld, path);
  }
  removeMessage(path: string, sequenceNumber: number): void {
    this.op.run(removeMessage, path, sequenceNumber);
  }
  resubmitDeadLettered(path: string, sequenceNumber: number): number {
    return this.op.run(resubmitDeadLettered, path, sequenceNumber);
  }
}
