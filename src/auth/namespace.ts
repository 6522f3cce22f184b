/**
 * A namespace as the adapters see it: its broker and the keys that reach it. The emulator serves
 * several on one set of ports; a client's SAS key name says which one it means (its first CBS
 * token or SASL PLAIN user on AMQP, each request's token on the admin API), so a connection string
 * reaches its own namespace without any DNS, hosts-file or certificate change.
 */
import type { BrokerApi } from '../broker/api.js';
import type { AuthConfig } from './types.js';

export interface NamespaceBinding {
  name: string;
  broker: BrokerApi;
  auth: AuthConfig;
  /** Its delay faults: how long to hold a send or management request (ms; 0: not at all). */
  delayFor?: (kind: 'send' | 'management', path: string) => number;
  /** Its admin faults: throws the armed error for an admin API request on this path. */
  checkAdminFault?: (path: string) => void;
}

/** Finds the namespace a key name belongs to; undefined: the default namespace. */
export type NamespaceLookup = (keyName: string) => NamespaceBinding | undefined;

/** The `skn` of a SharedAccessSignature token, decoded; undefined when it has none. */
export function tokenKeyName(token: string): string | undefined {
  const m = /(?:^|[\s&])skn=([^&\s]*)/.exec(token);
  if (m === null) return undefined;
  try {
    return decodeURIComponent(m[1]!.replace(/\+/g, ' '));
  } catch {
    return m[1];
  }
}

/**
 * A BrokerApi that forwards every call to the broker `current()` names at that moment: lets code
 * written against one broker (the admin routes, the transaction coordinator) serve the namespace
 * of the request or connection at hand.
 */
export function forwardingBroker(current: () => BrokerApi): BrokerApi {
  return new Proxy({} as BrokerApi, {
    get(_target, key) {
      const b = current();
      const v: unknown = Reflect.get(b, key, b);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(b) : v;
    },
  });
}
