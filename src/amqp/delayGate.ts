/**
 * Delay faults on a link the client sends on (an entity sender, a $management link): when the
 * test control plane says to hold an operation, it and everything after it on the link wait, so
 * the link still handles transfers in the order they came.
 */
import type { Logger } from 'pino';
import type { IncomingDelivery, IncomingLink } from './engine/index.js';
import { guardLink } from './linkGuard.js';

export type DelayFor = (kind: 'send' | 'management', path: string) => number;

export function gateDelays(link: IncomingLink, kind: 'send' | 'management', path: string, delayFor: DelayFor | undefined, log: Logger): void {
  const handle = link.events.onMessage;
  if (delayFor === undefined || handle === undefined) return;
  const waiting: IncomingDelivery[] = [];
  let holding = false;
  const drain = (): void => {
    while (waiting.length > 0) {
      if (link.state === 'detached') {
        waiting.length = 0;
        return;
      }
      const ms = delayFor(kind, path);
      if (ms > 0) {
        holding = true;
        setTimeout(() => {
          holding = false;
          // A timer has no caller to take an exception: it fails this link only.
          guardLink(link, log, 'a delayed operation', () => {
            if (link.state === 'detached') waiting.length = 0;
            else handle(waiting.shift()!);
            drain();
          });
        }, ms).unref();
        return;
      }
      handle(waiting.shift()!);
    }
  };
  link.events.onMessage = (d) => {
    waiting.push(d);
    if (!holding) drain();
  };
}
