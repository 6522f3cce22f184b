/**
 * The transaction coordinator (AMQP 1.0 part 4) as Service Bus offers it: a link whose target is
 * a coordinator. A `declare` message is answered with a `declared` outcome carrying the new
 * transaction's id; a `discharge` (txn-id, fail) commits or rolls it back and is answered
 * `accepted`, or `rejected` with amqp:transaction:unknown-id, :timeout or :rollback. Transfers and
 * dispositions then name the transaction in a `transactional-state`. What a transaction does is
 * the broker's (src/broker/transaction.ts); this file is the wire and the connection's bookkeeping:
 * a transaction belongs to the connection that declared it, and is rolled back when it closes.
 */
import type { Logger } from 'pino';
import type { BrokerApi } from '../broker/api.js';
import { errors } from '../broker/errors.js';
import type { ConnectionContext } from './connectionContext.js';
import { Decoder, Described, outcomes, type DeliveryState, type IncomingLink } from './engine/index.js';
import { toAmqpError } from './errors.js';

const AMQP_VALUE = 0x77;
const { TXN } = outcomes;

/** The transactions each connection has declared and not yet discharged. */
const OPEN = new WeakMap<ConnectionContext, Set<string>>();

function openOf(conn: ConnectionContext, broker: BrokerApi, log: Logger): Set<string> {
  let open = OPEN.get(conn);
  if (!open) {
    const set = new Set<string>();
    open = set;
    OPEN.set(conn, set);
    // A dropped connection rolls back whatever it left open.
    conn.handlers.add({
      dispose: () => {
        for (const id of set) {
          try {
            broker.dischargeTransaction(id, true);
          } catch {
            // Already timed out: rolled back all the same.
          }
        }
        if (set.size > 0) log.debug({ count: set.size }, 'transactions rolled back with their connection');
        set.clear();
      },
    });
  }
  return open;
}

export function serveCoordinator(link: IncomingLink, conn: ConnectionContext, broker: BrokerApi, log: Logger): void {
  link.events.onMessage = (d) => {
    let body: Described;
    try {
      body = coordinatorBody(d.payload);
    } catch (e) {
      link.settle(d, { condition: 'amqp:decode-error', description: (e as Error).message });
      return;
    }
    const open = openOf(conn, broker, log);
    if (body.descriptor === TXN.declare || body.descriptor === 'amqp:declare:list') {
      const id = broker.declareTransaction();
      open.add(id);
      log.debug({ txn: id }, 'transaction declared');
      link.settle(d, outcomes.declared(Buffer.from(id, 'utf8')));
      return;
    }
    if (body.descriptor === TXN.discharge || body.descriptor === 'amqp:discharge:list') {
      const [rawId, fail] = Array.isArray(body.value) ? (body.value as unknown[]) : [];
      const id = txnIdText(rawId);
      try {
        if (id === undefined || !open.has(id)) throw errors.transactionUnknown(id ?? String(rawId));
        open.delete(id);
        broker.dischargeTransaction(id, fail === true);
        log.debug({ txn: id, commit: fail !== true }, 'transaction discharged');
        link.settle(d, outcomes.ACCEPTED);
      } catch (e) {
        const err = toAmqpError(e);
        log.debug({ txn: id, condition: err.condition }, 'discharge refused');
        link.settle(d, err);
      }
      return;
    }
    link.settle(d, { condition: 'amqp:not-implemented', description: 'The coordinator takes only declare and discharge messages.' });
  };
}

/** A transaction named by a delivery state, and the outcome it wraps (for dispositions). */
export interface InTransaction {
  id: string;
  /** The id as the client sent it, for echoing in our transactional-state. */
  raw: Buffer;
  outcome?: DeliveryState;
}

/**
 * The transaction a transactional-state names, or undefined for any other state. A transaction
 * that is not this connection's (or not open) is TransactionUnknown, as Azure answers.
 */
export function transactionOf(conn: ConnectionContext, state: DeliveryState | undefined): InTransaction | undefined {
  if (state?.code !== TXN.transactionalState) return undefined;
  const [rawId, outcome] = state.fields;
  const id = txnIdText(rawId);
  if (id === undefined || !OPEN.get(conn)?.has(id)) throw errors.transactionUnknown(id ?? String(rawId));
  const inner = outcome instanceof Described && typeof outcome.descriptor === 'number' ? { code: outcome.descriptor, fields: Array.isArray(outcome.value) ? outcome.value : [] } : undefined;
  return { id, raw: rawId as Buffer, outcome: inner };
}

function txnIdText(v: unknown): string | undefined {
  return Buffer.isBuffer(v) && v.length > 0 && v.length <= 128 ? v.toString('utf8') : undefined;
}

/** The declare or discharge inside a coordinator message's amqp-value section. */
function coordinatorBody(payload: Buffer): Described {
  const d = new Decoder(payload);
  while (d.remaining() > 0) {
    const section = d.read();
    if (section instanceof Described && section.descriptor === AMQP_VALUE) {
      if (section.value instanceof Described) return section.value;
      break;
    }
  }
  throw new Error('A coordinator message must carry a declare or discharge as its amqp-value body.');
}
