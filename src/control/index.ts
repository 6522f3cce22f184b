/**
 * The test control plane: time travel, reset and purge, inspection, the journal and fault
 * injection, with one meaning whether a test calls it in-process (`emulator.reset()`) or over
 * HTTP (src/http/routes/control*.ts). The core gives it what it cannot reach from outside
 * (BrokerControlApi, BrokerOptions.onEvent); the AMQP listener gives it its links (LinkControl).
 *
 * Built in two steps because the broker needs the clock and the journal before it exists, and
 * the control plane needs the broker and the listeners after.
 */
import { type ClockMode, EmulatorClock } from './clock.js';
import { ControlError } from './errors.js';
import { DEFAULT_JOURNAL_CAPACITY, Journal } from './journal.js';
import type { NamespaceControl } from './namespaceControl.js';
import type { ResetResult } from './reset.js';
import type { ControlSurface, NamespacesSurface } from './surface.js';

export interface ControlPlaneOptions {
  clock?: ClockMode;
  /** Events each namespace's journal keeps (the newest); 0 turns journals off. */
  journalSize?: number;
}

/** Per-test namespaces as the control plane reaches them (src/server/namespaces.ts). */
export interface NamespaceDirectory extends NamespacesSurface {
  /** Root reset: namespaces made at run time go, configured ones are reset. */
  resetAll(): void;
}

export class ControlPlane {
  /** The emulator's clock: the default namespace's, and the base every other namespace's runs on. */
  readonly clock: EmulatorClock;
  readonly journalSize: number;
  private root: NamespaceControl | undefined;
  namespaces: NamespaceDirectory | undefined;

  constructor(options: ControlPlaneOptions = {}) {
    this.clock = new EmulatorClock(options.clock ?? 'system');
    this.journalSize = options.journalSize ?? DEFAULT_JOURNAL_CAPACITY;
    // Checked here so a bad size fails the start, before any namespace makes a journal.
    this.newJournal();
  }

  /** A journal for a namespace; with journalSize 0 nothing is recorded (see `recording`). */
  newJournal(): Journal {
    return new Journal(Math.max(1, this.journalSize));
  }

  get recording(): boolean {
    return this.journalSize > 0;
  }

  /** Second step: the default namespace, once its broker exists. */
  attach(root: NamespaceControl): void {
    this.root = root;
  }

  get defaultNamespace(): NamespaceControl {
    if (this.root === undefined) throw new Error('the control plane is not attached to a broker yet');
    return this.root;
  }

  /** The default namespace back as configured; namespaces made at run time removed. */
  reset(): ResetResult {
    const result = this.defaultNamespace.reset();
    this.namespaces?.resetAll();
    return result;
  }

  /** The in-process API, as Emulator exposes it: the default namespace's. */
  surface(): ControlSurface {
    return this.defaultNamespace.surface(() => this.reset());
  }

  /** The surface for a namespace by name; undefined or '': the default one. */
  surfaceFor(name: string | undefined): ControlSurface {
    if (name === undefined || name === '') return this.surface();
    const s = this.namespaces?.surface(name);
    if (s === undefined) throw new ControlError(404, `No namespace '${name}'.`);
    return s;
  }
}

export { ControlError } from './errors.js';
export type { AdvanceBy, ClockMode, ClockReading } from './clock.js';
export type { ArmedFault, ErrorFaultSpec } from './faults.js';
export type { EntityInfo, InspectedMessage } from './inspect.js';
export type { JournalEntry, JournalQuery } from './journal.js';
export type { ResetResult } from './reset.js';
export type { ControlMessageSpec, MessageWriter } from './send.js';
export type { ControlSurface, FaultsSurface, LinkSurgery, NamespaceInfo, NamespacesSurface } from './surface.js';
export { Faults } from './faults.js';
export { NamespaceControl, type NamespaceParts } from './namespaceControl.js';
export { EmulatorClock } from './clock.js';
