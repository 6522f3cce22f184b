/**
 * What the admin routes share: the broker, auth settings, readiness, TLS material and time.
 * Decorated on the app as `admin` by a fastify-plugin, so every route plugin sees it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import type { NamespaceBinding, NamespaceLookup } from '../auth/namespace.js';
import fp from 'fastify-plugin';
import type { AuthConfig } from '../auth/types.js';
import type { BrokerApi } from '../broker/api.js';
import type { TlsMaterial } from '../tls/certs.js';

export interface AdminContext {
  /** The broker of the namespace the request's token chose (see requestNamespace). */
  broker: BrokerApi;
  /** The default namespace's keys. */
  auth: AuthConfig;
  /** Namespaces besides the default one, by key name. */
  namespaceFor?: NamespaceLookup;
  isReady: () => boolean;
  tls?: TlsMaterial;
  /** Epoch ms, for token expiry. */
  now: () => number;
  /** When the app was built: the namespace's CreatedTime. */
  startedAt: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    admin: AdminContext;
  }
}

export const contextPlugin = fp<{ context: AdminContext }>(
  async (app: FastifyInstance, opts) => {
    app.decorate('admin', opts.context);
  },
  { name: 'sbemu-context' },
);

/**
 * The namespace of the ATOM request being served, set by the auth plugin once the token is checked;
 * `admin.broker` forwards to its broker, so the routes need not know namespaces exist.
 */
export const requestNamespace = new AsyncLocalStorage<NamespaceBinding>();
