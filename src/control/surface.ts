/**
 * The control plane's in-process API, as `startEmulator()`'s Emulator object and the HTTP routes
 * use it. One namespace answers each call: the default one, or a per-test namespace (its own
 * entities, journal, faults and clock offset).
 */
import type { AdvanceBy, ClockMode, ClockReading } from './clock.js';
import type { ArmedFault, ErrorFaultSpec } from './faults.js';
import type { Inspector } from './inspect.js';
import type { JournalEntry, JournalQuery } from './journal.js';
import type { ResetResult } from './reset.js';
import type { ControlMessageSpec } from './send.js';

/** What the AMQP listener lets the control plane do to open links (src/amqp/linkControl.ts). */
export interface LinkSurgery {
  detachWhere(matches: (path: string) => boolean, error: { condition: string; description: string; info: null }): number;
  dropConnections(entity: string | undefined, description: string): number;
}

/** The in-process API on the Emulator object. */
export interface ControlSurface {
  clock: {
    readonly mode: ClockMode;
    /** The namespace's time: the emulator's, plus any jump made with this namespace's key. */
    now(): Date;
    readonly offsetMs: number;
    /**
     * Jumps forward ('PT1H', or ms) and runs at once everything that fell due. The default
     * namespace's clock is the emulator's: its jumps move every namespace.
     */
    advance(by: AdvanceBy): ClockReading;
  };
  /**
   * Every entity back as configured; messages, sessions, locks, journal and faults cleared. The
   * default namespace's reset also removes the namespaces made at run time and resets the
   * configured ones.
   */
  reset(): ResetResult;
  /** Empties one entity and its dead-letter queue (a topic: its schedule and subscriptions). */
  purge(path: string): { removed: number };
  inspect: Pick<Inspector, 'entities' | 'messages' | 'sessions' | 'rules'> & {
    /** The namespace(s) this surface answers for, and the tier. */
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
  /** Defined by Config.json (reset restores it, DELETE refuses it) rather than made at run time. */
  configured: boolean;
}

export interface NamespacesSurface {
  create(name?: string): NamespaceInfo;
  delete(name: string): void;
  list(): NamespaceInfo[];
  /** The control surface of one namespace; undefined when there is none of that name. */
  surface(name: string): ControlSurface | undefined;
}

