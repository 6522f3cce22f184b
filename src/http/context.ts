/**
 * What the admin routes share: the broker, auth settings, readiness, TLS material and time.
 * Decorated on the app as `admin` by a fastify-plugin, so every route plugin sees it.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AuthConfig } from '../auth/types.js';
import type { BrokerApi } from '../broker/api.js';
import type { TlsMaterial } from '../tls/certs.js';

export interface AdminContext {
  broker: BrokerApi;
  auth: AuthConfig;
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
