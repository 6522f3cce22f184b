/**
 * Attaches that ask for something Service Bus (standard tier) does not do. Generic AMQP clients
 * such as Qpid JMS send them for JMS features; served as an ordinary link they would do something
 * else, silently: a selector would be ignored, a QueueBrowser would consume the messages it only
 * meant to look at. So they are refused with amqp:not-implemented and a description that says
 * what to do instead.
 */
import type { AmqpError } from './errors.js';
import { Described } from './engine/decoder.js';
import type { RemoteAttach } from './engine/index.js';

const NOT_IMPLEMENTED = 'amqp:not-implemented';

/** The one source filter the emulator applies. */
export const SESSION_FILTER = 'com.microsoft:session-filter';

/** Names of the filter types clients send that the emulator does not apply, by descriptor. */
const FILTER_NAMES: Record<string, string> = {
  [String(0x0000468c00000004)]: 'apache.org:selector-filter:string',
  [String(0x0000468c00000003)]: 'apache.org:no-local-filter:list',
};

function filterName(key: string, value: unknown): string {
  if (!(value instanceof Described)) return key;
  return FILTER_NAMES[String(value.descriptor)] ?? String(value.descriptor);
}

const refuse = (description: string): AmqpError => ({ condition: NOT_IMPLEMENTED, description, info: null });

/** Why the emulator cannot serve this attach as asked, or undefined when it can. */
export function unsupportedAttach(remote: RemoteAttach): AmqpError | undefined {
  const source = remote.source;
  const target = remote.target;
  if (source?.dynamic || target?.dynamic) {
    return refuse('Dynamic nodes (JMS temporary queues and topics) are not supported; create the queue through the admin API or Config.json.');
  }
  if (remote.role === 'receiver' && source?.distributionMode === 'copy') {
    // Qpid JMS asks for 'copy' for a QueueBrowser and for a durable topic subscriber alike.
    return refuse(
      "distribution-mode 'copy' (a JMS QueueBrowser or durable subscriber) is not supported: peek through the entity's $management node to browse; a subscription is read at the address '<topic>/Subscriptions/<subscription>'.",
    );
  }
  for (const [key, value] of Object.entries(source?.filter ?? {})) {
    if (key === SESSION_FILTER) continue;
    const name = filterName(key, value);
    const jms = name === 'apache.org:selector-filter:string' ? ' (JMS message selectors are not supported; filter with a subscription rule)' : '';
    return refuse(`The source filter '${name}' is not supported${jms}.`);
  }
  return undefined;
}
