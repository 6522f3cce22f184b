/**
 * The frame every broker call runs in. It reads the clock once, first does whatever deadlines are
 * due at that instant (so a host that ticks late never lets a client see an expired lock or
 * message), then runs the verb, then the effects it queued, and finally tells the host when the
 * next deadline is if that moved earlier. Calls nest (an adapter callback may call back in); only
 * the outermost one reads the clock, runs effects and announces.
 */
import type { Clock } from './clock.js';
import { type Deadline, DeadlineKind } from './deadlines.js';
import { onAutoDeleteDue } from './entityAdmin.js';
import { errors } from './errors.js';
import { onExpiryDue } from './expiry.js';
import { onMessageLockDue } from './messageLock.js';
import type { Namespace } from './namespace.js';
import { onScheduledEnqueueDue } from './schedule.js';
import { onAcceptDeadline, onSessionLockDue } from './sessionLock.js';
import { onTransactionDue } from './transaction.js';

/** What each kind of deadline does when it comes due; each concept owns its handler. */
const ON_DUE: Record<DeadlineKind, (ns: Namespace, deadline: Deadline) => void> = {
  [DeadlineKind.MessageLock]: onMessageLockDue,
  [DeadlineKind.SessionLock]: onSessionLockDue,
  [DeadlineKind.Expiry]: onExpiryDue,
  [DeadlineKind.ScheduledEnqueue]: onScheduledEnqueueDue,
  [DeadlineKind.AcceptDeadline]: onAcceptDeadline,
  [DeadlineKind.AutoDelete]: onAutoDeleteDue,
  [DeadlineKind.Transaction]: onTransactionDue,
};

export class OperationFrame {
  private depth = 0;
  private lastNow = -Infinity;
  /** The earliest instant announced to the host and not yet reached. */
  private announced = Infinity;

  constructor(
    private readonly ns: Namespace,
    private readonly clock: Clock,
    private readonly onWakeup: ((dueAt: number) => void) | undefined,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** Runs `verb` on the namespace as one operation. */
  run<A extends unknown[], R>(verb: (ns: Namespace, ...args: A) => R, ...args: A): R {
    this.begin();
    try {
      return verb(this.ns, ...args);
    } finally {
      this.end();
    }
  }

  private begin(): void {
    if (this.depth++ > 0) return;
    try {
      const now = this.clock.now();
      if (typeof now !== 'number' || Number.isNaN(now)) throw errors.argument('The clock returned a non-number.');
      // Time never goes backwards inside the broker, even if a test clock does.
      this.lastNow = Math.max(this.lastNow, now);
      this.ns.now = this.lastNow;
      this.runDue();
    } catch (err) {
      this.depth--;
      throw err;
    }
  }

  private end(): void {
    if (--this.depth > 0) return;
    this.ns.effects.flush();
    this.announce();
  }

  private runDue(): void {
    const { ns } = this;
    const { deadlines, now } = ns;
    for (let t = deadlines.popDue(now); t !== undefined; t = deadlines.popDue(now)) ON_DUE[t.kind](ns, t);
    if (this.announced <= now) this.announced = Infinity;
  }

  private announce(): void {
    if (this.onWakeup === undefined) return;
    const due = this.ns.deadlines.nextDueAt();
    if (due === undefined || due >= this.announced) return;
    this.announced = due;
    try {
      this.onWakeup(due);
    } catch (err) {
      this.reportError(err);
    }
  }
}
