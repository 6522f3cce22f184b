/**
 * The test control plane: time travel, reset and purge, inspection, the journal and fault
 * injection, with one meaning whether a test calls it in-process (`emulator.reset()`) or over
 * HTTP (src/http/routes/control*.ts). The core gives it what it cannot reach from outside
 * (BrokerControlApi, BrokerOptions.onEvent); the AMQP listener gives it its links (LinkControl).
 *
 * Built in two steps because the broker needs the clock and the journal before it exists, and
 * the control plane needs the broker and the listeners after.
 */
import type { BrokerApi, BrokerControlApi } from '../broker/api.js';
import type { EmulatorConfig } from '../config/types.js';
import { type AdvanceBy, type ClockMode, type ClockReading, EmulatorClock } from './clock.js';
import { ControlError } from './errors.js';
import { type ArmedFault, type ErrorFaultSpec, Faults } from './faults.js';
import { type BodyReader, Inspector } from './inspect.js';
import { Journal, type JournalEntry, type JournalQuery } from './journal.js';
import { resetToConfig, type ResetResult } from './reset.js';
import { type ControlMessageSpec, messageSpec, type MessageWriter } from './send.js';

/** What the AMQP listener lets the control plane do to open links (src/amqp/linkControl.ts). */
export interface LinkSurgery {
  detachWhere(matches: (path: string) => boolean, error: { condition: string; description: string; info: null }): number;
  dropConnections(entity: string | undefined, description: string): number;
}

/** The in-process API on the Emulator object. */
export interface ControlSurface {
  clock: {
    readonly mode: ClockMode;
    /** The emulator's time. */
    now(): Date;
    readonly offsetMs: number;
    /** Jumps forward ('PT1H', or ms) and runs at once everything that fell due. */
    advance(by: AdvanceBy): ClockReading;
  };
  /** Every entity back as configured; messages, sessions, locks, journal and faults cleared. */
  reset(): ResetResult;
  /** Empties one entity and its dead-letter queue (a topic: its schedule and subscriptions). */
  purge(path: string): { removed: number };
  inspect: Pick<Inspector, 'entities' | 'messages' | 'sessions' | 'rules'> & {
    /** The configured namespace names (all share one broker) and the tier. */
    namespaces(): { name: string; sku: string }[];
  };
  journal(query?: JournalQuery): JournalEntry[];
  faults: FaultsSurface;
  /** Sends one message to a queue or topic, as a client's send would be stored. */
  send(path: string, message: ControlMessageSpec): { sequenceNumber: number };
  /** Removes one message by sequence number, from the dead-letter queue with `deadLettered`. */
  deleteMessage(path: string, sequenceNumber: number, options?: { deadLettered?: boolean }): { deleted: true };
  /** Moves a dead-lettered message back into its queue or subscription, as if newly sent. */
  resubmit(path: string, sequenceNumber: number): { sequenceNumber: number };
}

export interface FaultsSurface {
  /** Answers the next `count` operations of a kind on an entity with a Service Bus error. */
  inject(spec: ErrorFaultSpec): ArmedFault;
  list(): ArmedFault[];
  clear(): void;
  /** Closes the AMQP connections with links on `entity` (all connections without one). */
  dropConnections(entity?: string): { connections: number };
  /** Ends message locks now: one by sequence number, or all of the entity's. */
  expireLocks(entity: string, options?: { sequenceNumber?: number }): { locks: number };
  /** Ends a session's lock now, so another receiver may take the session. */
  expireSessionLock(entity: string, sessionId: string): { expired: boolean };
}

/** What a test gets for a namespace of its own. */
export interface NamespaceInfo {
  name: string;
  keyName: string;
  key: string;
  connectionString: string;
  adminConnectionString: string;
}

export interface NamespacesSurface {
  create(name?: string): NamespaceInfo;
  delete(name: string): void;
  list(): NamespaceInfo[];
}

export interface ControlPlaneOptions {
  clock?: ClockMode;
  journalSize?: number;
}

export class ControlPlane {
  readonly clock: EmulatorClock;
  readonly journal: Journal;
  readonly faults = new Faults();
  private attached:
    | { broker: BrokerApi & BrokerControlApi; inspector: Inspector; links: () => LinkSurgery | undefined; write: MessageWriter | undefined }
    | undefined;
  /** Run by reset() too: namespaces made at run time go (src/server/namespaces.ts). */
  onReset: (() => void) | undefined;
  /** Per-test namespaces, when the emulator serves them (src/server/namespaces.ts). */
  namespaces: NamespacesSurface | undefined;

  constructor(
    private readonly config: EmulatorConfig,
    options: ControlPlaneOptions = {},
  ) {
    this.clock = new EmulatorClock(options.clock ?? 'system');
    this.journal = new Journal(options.journalSize);
  }

  /** Second step: the broker, how to read and write messages, the listener's links (once it listens). */
  attach(
    broker: BrokerApi & BrokerControlApi,
    readBody: BodyReader,
    links: () => LinkSurgery | undefined,
    afterAdvance: () => void,
    write?: MessageWriter,
  ): void {
    this.attached = { broker, inspector: new Inspector(broker, readBody), links, write };
    this.clock.onAdvance = () => {
      broker.tick();
      afterAdvance();
    };
  }

  private get parts() {
    if (this.attached === undefined) throw new Error('the control plane is not attached to a broker yet');
    return this.attached;
  }

  reset(): ResetResult {
    const { broker, links } = this.parts;
    const result = resetToConfig(broker, this.config, this.clock);
    const gone = result.removed.map((p) => p.toLowerCase());
    if (gone.length > 0) {
      links()?.detachWhere((path) => gone.some((g) => path === g || path.startsWith(`${g}/`)), {
        condition: 'amqp:not-found',
        description: 'The messaging entity was removed by an emulator reset.',
        info: null,
      });
    }
    this.journal.clear();
    this.faults.clear();
    this.onReset?.();
    return result;
  }

  purge(path: string): { removed: number } {
    if (typeof path !== 'string' || this.parts.broker.entityKind(path) === undefined || /\/\$deadletterqueue$/i.test(path)) {
      throw new ControlError(404, `No queue, topic or subscription '${String(path)}'.`);
    }
    return { removed: this.parts.broker.purge(path) };
  }

  /** The in-process API, as Emulator exposes it. */
  surface(): ControlSurface {
    const { clock, faults } = this;
    const entity = (path: unknown): string => {
      if (typeof path !== 'string' || this.parts.broker.entityKind(path) === undefined) throw new ControlError(404, `No queue, topic or subscription '${String(path)}'.`);
      return path;
    };
    return {
      clock: {
        get mode() {
          return clock.mode;
        },
        now: () => new Date(clock.now()),
        get offsetMs() {
          return clock.offsetMs;
        },
        advance: (by) => clock.advance(by),
      },
      reset: () => this.reset(),
      purge: (path) => this.purge(path),
      inspect: {
        entities: () => this.parts.inspector.entities(),
        messages: (path, options) => this.parts.inspector.messages(path, options),
        sessions: (path) => this.parts.inspector.sessions(path),
        rules: (path) => this.parts.inspector.rules(path),
        namespaces: () => this.config.namespaces.map((n) => ({ name: n.name, sku: this.config.sku })),
      },
      journal: (query) => this.journal.query(query),
      send: (path, message) => {
        const { broker, write } = this.parts;
        if (write === undefined) throw new ControlError(409, 'This emulator has no message writer attached.');
        const [sequenceNumber] = broker.send(path, [write(messageSpec(message as unknown as Record<string, unknown>))]);
        return { sequenceNumber: sequenceNumber! };
      },
      deleteMessage: (path, sequenceNumber, options = {}) => {
        this.parts.broker.removeMessage(options.deadLettered ? `${entity(path)}/$DeadLetterQueue` : entity(path), sequenceNumber);
        return { deleted: true };
      },
      resubmit: (path, sequenceNumber) => ({ sequenceNumber: this.parts.broker.resubmitDeadLettered(entity(path), sequenceNumber) }),
      faults: {
        inject: (spec) => faults.arm(spec),
        list: () => faults.list(),
        clear: () => faults.clear(),
        dropConnections: (path) => {
          const target = path === undefined ? undefined : entity(path);
          return { connections: this.parts.links()?.dropConnections(target, 'The emulator dropped this connection (fault injection).') ?? 0 };
        },
        expireLocks: (path, options = {}) => {
          const seq = options.sequenceNumber;
          if (seq !== undefined && (!Number.isSafeInteger(seq) || seq < 0)) throw new ControlError(400, '"sequenceNumber" must be a whole number.');
          return { locks: this.parts.broker.expireMessageLocks(entity(path), seq) };
        },
        expireSessionLock: (path, sessionId) => {
          if (typeof sessionId !== 'string') throw new ControlError(400, '"session" must be a session id.');
          return { expired: this.parts.broker.expireSessionLock(entity(path), sessionId) };
        },
      },
    };
  }
}

export { ControlError } from './errors.js';
export type { AdvanceBy, ClockMode, ClockReading } from './clock.js';
export type { ArmedFault, ErrorFaultSpec } from './faults.js';
export type { EntityInfo, InspectedMessage } from './inspect.js';
export type { JournalEntry, JournalQuery } from './journal.js';
export type { ResetResult } from './reset.js';
export type { ControlMessageSpec, MessageWriter } from './send.js';
