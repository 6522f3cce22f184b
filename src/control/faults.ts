/**
 * Fault injection. Armed faults answer the next N operations of a kind on an entity with a
 * Service Bus error, raised as the core's own BrokerError so each adapter maps it exactly as it
 * maps the real thing (server-busy becomes com.microsoft:server-busy on AMQP, 503 over HTTP).
 * Delay faults hold the next N sends or management requests (the AMQP listener asks delayFor()
 * before it handles one) so a client's own timeout can be tested. One-shot faults (dropping
 * connections, ending locks) act at once and are not armed.
 *
 * Operations by kind, as the adapters call the broker:
 * - send: sending on a sender link;
 * - receive: opening a receiver (attaching a receiver link, accepting a session), and taking
 *   messages through an open one. SDK receivers keep one link open and ask for messages by granting
 *   credit, so a fault armed after the link opened must still reach them: the adapter takes
 *   messages whenever the client's credit could be used (a flow granting credit or draining,
 *   messages arriving for credit the client holds), and the fault fails that take. The adapter
 *   answers as Azure does: it detaches the link with the error's condition, and the SDKs re-open it
 *   (retrying server-busy within receiveMessages; subscribe() reports the error and re-opens).
 *   The failed take locks nothing; what the link delivered before keeps its locks, as on any detach.
 * - settle: complete, abandon, defer, dead-letter, release (on a disposition they are answered
 *   with a rejected outcome carrying the condition; on $management with its status code);
 * - management: $management requests (schedule, cancel, peek, renew, session state, deferred...);
 * - admin: admin API (ATOM) requests on the entity or under it (get, create, update, delete,
 *   runtime properties, rules), answered with the HTTP status Azure gives that error.
 */
import type { BrokerApi, Receiver } from '../broker/api.js';
import { BrokerError, errors } from '../broker/errors.js';
import { ControlError } from './errors.js';

export const OPERATION_KINDS = ['send', 'receive', 'settle', 'management', 'admin'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/** The errors a fault can answer with, by the name of their AMQP condition's last part. */
const ERRORS: Record<string, (path: string) => Error> = {
  'server-busy': () => errors.serverBusy(),
  timeout: () => errors.timeout('the request'),
  'quota-exceeded': (path) => new BrokerError('QuotaExceeded', `The maximum entity size has been reached or exceeded for '${path}'.`),
  'entity-disabled': (path) => errors.disabled(path),
  'not-found': (path) => errors.entityNotFound(path),
  'message-lock-lost': () => errors.lockLost(),
  'session-lock-lost': () => errors.sessionLockLost(),
  'session-cannot-be-locked': () => errors.sessionCannotBeLocked(''),
  'internal-error': () => new Error('The service was unable to process the request; please retry the operation.'),
};
export const FAULT_ERRORS = Object.keys(ERRORS);

export interface ErrorFaultSpec {
  /** Entity path (a queue, topic or subscription, and everything under it); none: every entity. */
  entity?: string;
  operation: OperationKind;
  /** The error to answer with; or, for a delay fault, leave it out and give delayMs. */
  error?: string;
  /** Hold each operation this long before handling it (send and management only). */
  delayMs?: number;
  /** How many operations fail before the fault clears itself. Default 1. */
  count?: number;
}

export interface ArmedFault {
  id: number;
  entity: string | undefined;
  operation: OperationKind;
  error: string | undefined;
  delayMs: number | undefined;
  count: number;
  /** Operations it answered so far. */
  hits: number;
}

/** The operations a delay can hold: those whose answer the listener can send later. */
export const DELAYABLE: readonly OperationKind[] = ['send', 'management'];

const VERBS: Record<OperationKind, readonly string[]> = {
  send: ['send'],
  receive: ['openReceiver', 'acceptSession', 'acceptNextSession'],
  settle: ['complete', 'abandon', 'defer', 'deadLetter', 'release'],
  management: ['schedule', 'cancelScheduled', 'peek', 'receiveDeferred', 'deleteMessages', 'renewLock', 'renewSessionLock', 'getSessionState', 'setSessionState', 'listSessions'],
  // Checked by the admin API itself (src/http/app.ts), not through broker verbs.
  admin: [],
};

export class Faults {
  private armed: ArmedFault[] = [];
  private nextId = 1;

  arm(spec: ErrorFaultSpec): ArmedFault {
    if (spec === null || typeof spec !== 'object') throw new ControlError(400, 'A fault must be a JSON object.');
    if (!(OPERATION_KINDS as readonly string[]).includes(spec.operation)) {
      throw new ControlError(400, `"operation" must be one of ${OPERATION_KINDS.join(', ')}.`);
    }
    if (spec.delayMs !== undefined) {
      if (spec.error !== undefined) throw new ControlError(400, 'A fault either answers with "error" or delays by "delayMs", not both.');
      if (!Number.isSafeInteger(spec.delayMs) || spec.delayMs < 0) throw new ControlError(400, '"delayMs" must be a whole number of milliseconds.');
      if (!DELAYABLE.includes(spec.operation)) throw new ControlError(400, `Delays apply to ${DELAYABLE.join(' and ')} operations.`);
    } else if (typeof spec.error !== 'string' || !(spec.error in ERRORS)) {
      throw new ControlError(400, `"error" must be one of ${FAULT_ERRORS.join(', ')}.`);
    }
    const count = spec.count ?? 1;
    if (!Number.isSafeInteger(count) || count < 1) throw new ControlError(400, '"count" must be a whole number of 1 or more.');
    if (spec.entity !== undefined && (typeof spec.entity !== 'string' || spec.entity === '')) throw new ControlError(400, '"entity" must be an entity path.');
    const fault: ArmedFault = { id: this.nextId++, entity: spec.entity, operation: spec.operation, error: spec.error, delayMs: spec.delayMs, count, hits: 0 };
    this.armed.push(fault);
    return { ...fault };
  }

  list(): ArmedFault[] {
    return this.armed.map((f) => ({ ...f }));
  }

  clear(): void {
    this.armed = [];
  }

  /** Throws the error of the first armed error fault for this operation, using one of its count. */
  check(kind: OperationKind, path: unknown): void {
    if (this.armed.length === 0) return;
    const fault = this.take(kind, path, false);
    if (fault !== undefined) throw ERRORS[fault.error!]!(typeof path === 'string' ? path : '');
  }

  /** How long to hold this operation (0: not at all), using one of a delay fault's count. */
  readonly delayFor = (kind: OperationKind, path: string): number => {
    if (this.armed.length === 0) return 0;
    return this.take(kind, path, true)?.delayMs ?? 0;
  };

  private take(kind: OperationKind, path: unknown, delay: boolean): ArmedFault | undefined {
    const p = typeof path === 'string' ? path.toLowerCase() : '';
    const fault = this.armed.find(
      (f) => f.operation === kind && (f.delayMs !== undefined) === delay && (f.entity === undefined || under(p, f.entity)),
    );
    if (fault === undefined) return undefined;
    fault.hits++;
    if (fault.hits >= fault.count) this.armed = this.armed.filter((f) => f !== fault);
    return fault;
  }

  /**
   * The broker as adapters should see it: the faultable verbs check for a fault first, the rest
   * are the broker's own (reached through the prototype, so they cost nothing extra).
   */
  wrap<B extends BrokerApi>(broker: B): B {
    const wrapped = Object.create(broker) as Record<string, unknown>;
    const target = broker as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const kind of OPERATION_KINDS) {
      for (const verb of VERBS[kind]) {
        const original = target[verb]!.bind(broker);
        wrapped[verb] =
          verb === 'acceptNextSession'
            ? (...args: unknown[]) => {
                // Its failures reach the caller through `done`, never as a throw.
                const done = args[2] as (e: unknown, r: Receiver | undefined) => void;
                try {
                  this.check(kind, args[0]);
                } catch (err) {
                  done(err, undefined);
                  return () => undefined;
                }
                return original(args[0], args[1], (e: unknown, r: Receiver | undefined) => done(e, r && this.receiving(r)));
              }
            : kind === 'receive'
              ? (...args: unknown[]) => {
                  this.check(kind, args[0]);
                  return this.receiving(original(...args) as Receiver);
                }
              : (...args: unknown[]) => {
                  this.check(kind, args[0]);
                  return original(...args);
                };
      }
    }
    return wrapped as unknown as B;
  }

  /**
   * A receiver whose every take checks for a receive fault first, so one armed after the link
   * opened still answers the link's next request. Everything else is the receiver's own, called
   * on the receiver itself: the broker knows its receivers by identity (a session's lock holder).
   */
  private receiving<R extends Receiver>(receiver: R): R {
    const receive = (max: number) => {
      this.check('receive', receiver.path);
      return receiver.receive(max);
    };
    return new Proxy(receiver, {
      get(target, key) {
        if (key === 'receive') return receive;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

function under(path: string, entity: string): boolean {
  const e = entity.toLowerCase().replace(/\/+$/, '');
  return path === e || path.startsWith(`${e}/`);
}
