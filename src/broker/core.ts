/**
 * The state every module that moves messages shares: the entity registry, the deadlines, the
 * current operation's instant and the queue of effects (callbacks into adapters).
 *
 * Callbacks never run in the middle of a state change: they are queued here and run once the
 * outermost broker call has finished its work, so an adapter calling back into the broker always
 * sees a consistent state.
 */
import type { Clock } from './clock.js';
import type { QueueEntity, TopicEntity } from './entities.js';
import { LostSessionTokens } from './locks.js';
import { Deadlines } from './deadlines.js';
import type { Notifiable, SubQueue } from './records.js';

export class Core {
  readonly deadlines = new Deadlines();
  readonly lostTokens = new LostSessionTokens();
  /** By lower-case name. Queues and topics share one namespace. */
  readonly queues = new Map<string, QueueEntity>();
  readonly topics = new Map<string, TopicEntity>();
  /** The instant of the operation in progress, read once from the clock when it began. */
  now = 0;
  private effects: (() => void)[] = [];

  constructor(
    readonly clock: Clock,
    /** Where adapter exceptions go; see BrokerOptions.onError. */
    readonly reportError: (error: unknown) => void,
  ) {}

  later(effect: () => void): void {
    this.effects.push(effect);
  }

  /** Tells each receiver of `sub` (once per operation) that it may receive. */
  notifyReceivers(sub: SubQueue): void {
    if (sub.receivers.size === 0) return;
    for (const r of sub.receivers) this.notify(r);
  }

  notify(r: Notifiable): void {
    if (r.notifyQueued || r.closed) return;
    r.notifyQueued = true;
    this.effects.push(() => r.fireAvailable());
  }

  /** Runs queued effects; an effect that throws must not stop the others or corrupt the caller. */
  flush(): void {
    while (this.effects.length > 0) {
      const batch = this.effects;
      this.effects = [];
      for (const effect of batch) {
        try {
          effect();
        } catch (err) {
          // The adapter's bug must neither unwind the broker call that ran it nor keep the
          // remaining effects (other receivers' notifications) from running.
          this.reportError(err);
        }
      }
    }
  }
}
