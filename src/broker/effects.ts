/**
 * Callbacks into adapters (onAvailable, onSessionLockLost, accept-next-session's `done`). They
 * never run in the middle of a state change: they are queued here and run once the outermost
 * broker call has finished its work, so an adapter calling back into the broker always finds it
 * consistent.
 */
import type { BrokerEvent } from './events.js';
import type { Notifiable, SubQueue } from './records.js';

const reportToConsole = (error: unknown): void => {
  console.error('servicebus-emulator: an adapter callback threw; the broker carried on.', error);
};

/**
 * The reporter for BrokerOptions.onError (console.error without one). A reporter that throws is
 * reported to the console instead: rethrown, it would bring back the failure it exists to contain.
 */
export function errorReporter(onError: ((error: unknown) => void) | undefined): (error: unknown) => void {
  if (onError === undefined) return reportToConsole;
  return (error) => {
    try {
      onError(error);
    } catch (reportFailure) {
      reportToConsole(reportFailure);
    }
  };
}

export class Effects {
  private queued: (() => void)[] = [];
  /** Hears every journal event as it happens (BrokerOptions.onEvent); unset, none is built. */
  onEvent: ((event: BrokerEvent) => void) | undefined = undefined;

  constructor(
    /** Where adapter exceptions go; see BrokerOptions.onError. */
    private readonly reportError: (error: unknown) => void,
  ) {}

  later(effect: () => void): void {
    this.queued.push(effect);
  }

  /** Tells each receiver of `sub` (once per operation) that it may receive. */
  notifyReceivers(sub: SubQueue): void {
    if (sub.receivers.size === 0) return;
    for (const r of sub.receivers) this.notify(r);
  }

  notify(r: Notifiable): void {
    if (r.notifyQueued || r.closed) return;
    r.notifyQueued = true;
    this.queued.push(() => r.fireAvailable());
  }

  /** Reports at once: the journal must see events in the order the state changed. */
  event(e: BrokerEvent): void {
    try {
      this.onEvent?.(e);
    } catch (err) {
      this.reportError(err);
    }
  }

  /** Runs queued effects, including any they queue in turn. */
  flush(): void {
    while (this.queued.length > 0) {
      const batch = this.queued;
      this.queued = [];
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
