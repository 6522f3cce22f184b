/**
 * Links to queues, topics and subscriptions: a client's sender (the emulator enqueues what
 * arrives) and a client's receiver (the emulator delivers), with or without a session filter.
 */
import type { Logger } from 'pino';
import type { BrokerApi, SessionReceiver } from '../broker/api.js';
import { errors } from '../broker/errors.js';
import type { MessageInput } from '../broker/types.js';
import { decodeMessage, MessageDecodeError, splitBatch } from './codec.js';
import type { ConnectionContext } from './connectionContext.js';
import { parseAddress } from './address.js';
import { transactionOf, type InTransaction } from './coordinator.js';
import { DeliveryLink } from './deliveryLink.js';
import { msToDotnetTicksBytes } from './dotnet.js';
import { Described, outcomes, Typed, type IncomingLink, type OutgoingLink } from './engine/index.js';
import { toAmqpError } from './errors.js';
import { guardLink } from './linkGuard.js';

const BATCH_FORMAT = 0x80013700;
const SESSION_FILTER = 'com.microsoft:session-filter';
const NOT_A_SESSION_ID = "The value of the filter 'com.microsoft:session-filter' must be a string: the session id.";
const DEFAULT_SESSION_TIMEOUT_MS = 60_000;

/**
 * A client's sender link on an entity: every transfer is one message or a batch of them. With
 * `via`, the link is attached to `via` and sends on to `path` (send via), which a transaction
 * counts as work on `via`.
 */
export function serveEntitySender(link: IncomingLink, conn: ConnectionContext, broker: BrokerApi, to: { path: string; via?: string }, log: Logger): void {
  const { path, via } = to;
  link.events.onMessage = (d) => {
    let inputs: MessageInput[];
    try {
      inputs = d.format === BATCH_FORMAT ? splitBatch(d.payload).map(decodeMessage) : [decodeMessage(d.payload)];
    } catch (e) {
      const description = e instanceof Error ? e.message : String(e);
      log.info({ description }, 'undecodable message rejected');
      link.settle(d, { condition: 'amqp:decode-error', description: e instanceof MessageDecodeError ? description : `malformed message: ${description}` });
      return;
    }
    let txn: InTransaction | undefined;
    try {
      txn = transactionOf(conn, d.state);
      broker.send(path, inputs, txn ? { transactionId: txn.id, via, viaTransactionEntity: via === undefined && sharesSessionWithOtherEntity(link, path) } : undefined);
      link.settle(d, txn ? outcomes.transactional(txn.raw, outcomes.ACCEPTED) : outcomes.ACCEPTED);
    } catch (e) {
      const err = toAmqpError(e);
      log.debug({ condition: err.condition }, 'send rejected');
      link.settle(d, txn ? outcomes.transactional(txn.raw, outcomes.rejected(err)) : err);
    }
  };
}

/**
 * Java's enableCrossEntityTransactions puts all of a client's links on one AMQP session and sends
 * to each entity directly, naming no via entity; Azure routes such sends through the entity the
 * transaction works on. Separate sessions per entity (every other client) keep the one-entity rule.
 */
function sharesSessionWithOtherEntity(link: IncomingLink, path: string): boolean {
  for (const other of link.session.attachedLinks()) {
    if (other === link) continue;
    const address = other.isSender ? other.remote.source?.address : other.remote.target?.address;
    const parsed = parseAddress(address ?? '');
    if (parsed.kind === 'entity' && parsed.entityPath !== '' && parsed.entityPath.toLowerCase() !== path.toLowerCase()) return true;
  }
  return false;
}

/** A client's receiver link on a queue, subscription or dead-letter queue. */
export function serveEntityReceiver(link: OutgoingLink, conn: ConnectionContext, broker: BrokerApi, path: string, log: Logger): void {
  const remote = link.remote;
  const mode = remote.sndSettleMode === 1 ? 'receiveAndDelete' : 'peekLock';
  const handler = new DeliveryLink(link, conn, broker, path, mode, log);
  conn.handlers.add(handler);
  const address = remote.source?.address ?? '';
  const echo = { source: { address, filter: remote.source?.filter }, target: { address: remote.target?.address } };

  const filter = remote.source?.filter;
  if (!filter || !(SESSION_FILTER in filter)) {
    try {
      const receiver = broker.openReceiver(path, { mode, onAvailable: handler.schedulePump, owner: conn.id });
      link.accept(echo);
      handler.bind(receiver);
    } catch (e) {
      handler.dispose();
      link.refuse(toAmqpError(e));
    }
    return;
  }

  const requestedRaw = filter[SESSION_FILTER];
  const requested = requestedRaw instanceof Described ? requestedRaw.value : requestedRaw;
  const sessionOptions = { mode, onAvailable: handler.schedulePump, onSessionLockLost: handler.onSessionLockLost, owner: conn.id } as const;
  const grant = (receiver: SessionReceiver) => {
    link.accept({
      source: { address, filter: { ...filter, [SESSION_FILTER]: echoSessionFilter(requestedRaw, receiver.sessionId) } },
      target: echo.target,
      properties: { 'com.microsoft:locked-until-utc': ticks(receiver.sessionLockedUntilUtc) },
    });
    log.debug({ sessionId: receiver.sessionId }, 'session accepted');
    handler.bind(receiver);
  };

  // Only an absent or null filter value asks for the next available session: "" names a session.
  if (requested !== undefined && requested !== null) {
    try {
      if (typeof requested !== 'string') throw errors.argument(NOT_A_SESSION_ID);
      grant(broker.acceptSession(path, requested, sessionOptions));
    } catch (e) {
      handler.dispose();
      link.refuse(toAmqpError(e));
    }
    return;
  }

  // Next available session: the attach reply waits until the broker finds one or gives up.
  let cancel: (() => void) | undefined;
  let settled = false;
  cancel = broker.acceptNextSession(path, { ...sessionOptions, timeoutMs: sessionTimeout(remote.properties) }, (error, receiver) => {
    settled = true;
    cancel = undefined;
    // Called from the broker (a timer or another client's send): a failure is this link's alone.
    guardLink(link, log, 'completing a held session attach', () => {
      try {
        if (conn.disposed || link.state !== 'pending') {
          receiver?.close();
          return;
        }
        if (receiver) grant(receiver);
        else {
          handler.dispose();
          link.refuse(toAmqpError(error ?? errors.timeout('session')));
        }
      } catch (e) {
        // The session lock must not outlive a link that never got it.
        closeQuietly(receiver);
        throw e;
      }
    });
  });
  if (settled) cancel = undefined;
  // If the client goes away while we wait, stop waiting.
  const previous = link.events.onDetach;
  link.events.onDetach = (err) => {
    cancel?.();
    previous?.(err);
  };
}

function closeQuietly(receiver: SessionReceiver | undefined): void {
  try {
    receiver?.close();
  } catch {
    // The failure that brought us here is the one reported.
  }
}

/** The granted session id, encoded the way the client encoded its request (go-amqp insists). */
function echoSessionFilter(requested: unknown, sessionId: string | null): unknown {
  if (requested instanceof Described) return new Described(requested.descriptor, sessionId, Buffer.alloc(0));
  return sessionId;
}

function ticks(ms: number): Typed {
  const bytes = msToDotnetTicksBytes(ms);
  return new Typed((e) => {
    e.byte(0x81);
    e.raw(bytes);
  });
}

function sessionTimeout(properties: Record<string, unknown>): number {
  const v = properties['com.microsoft:timeout'];
  const n = typeof v === 'number' ? v : Buffer.isBuffer(v) && v.length === 8 ? Number(v.readBigInt64BE()) : undefined;
  return n !== undefined && n > 0 ? n : DEFAULT_SESSION_TIMEOUT_MS;
}
