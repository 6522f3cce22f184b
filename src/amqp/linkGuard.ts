/**
 * Adapter work that runs outside frame handling (a delivery pump the broker asked for, a broker
 * callback such as a lost session lock or a granted session, a delay fault's timer) has no caller
 * to hand an exception to: thrown there, it would be an uncaughtException and stop the process
 * for every client. It runs through guardLink instead: the failure is logged with its connection
 * and link, and only that link is detached (its connection closed if even the detach fails).
 */
import type { Logger } from 'pino';
import type { Link } from './engine/index.js';

const INTERNAL = 'amqp:internal-error';

export function guardLink(link: Link, log: Logger, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    failLink(link, log, what, err);
  }
}

export function failLink(link: Link, log: Logger, what: string, err: unknown): void {
  // `log` is the link's own child logger: it names the connection, the link and its address.
  log.error({ err }, `${what} failed: the link is detached`);
  const error = { condition: INTERNAL, description: `The service was unable to process the request (${what}); please retry the operation.` };
  try {
    if (link.state === 'pending') link.refuse(error);
    else link.detach(error);
  } catch (detachFailure) {
    link.connection.fail(detachFailure);
  }
}
