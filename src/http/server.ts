/**
 * The admin port: HTTP and HTTPS on ONE TCP port, both served by the same fastify app.
 *
 * `@azure/service-bus` 7.9.5's admin client always speaks https to the endpoint's port, while
 * newer clients, curl and health checks speak plain http to the same port (Microsoft's emulator
 * uses 5300). So each connection's first byte decides (src/http/dualPort.ts). Both sides call the
 * app through `app.routing`, fastify's own request entry point.
 */
import type http from 'node:http';
import type { Logger } from 'pino';
import type { AuthConfig } from '../auth/types.js';
import type { BrokerApi } from '../broker/api.js';
import type { TlsMaterial } from '../tls/certs.js';
import { buildAdminApp } from './app.js';
import { listenHttpAndHttps } from './dualPort.js';

export interface AdminServerOptions {
  broker: BrokerApi;
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls: TlsMaterial;
  auth: AuthConfig;
  logger: Logger;
  /** /health answers 200 only once this is true. */
  isReady: () => boolean;
}

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const log = options.logger;
  const app = buildAdminApp({
    broker: options.broker,
    auth: options.auth,
    logger: options.logger,
    isReady: options.isReady,
    tls: options.tls,
  });
  await app.ready();

  const handler: http.RequestListener = (req, res) => app.routing(req, res);
  const server = await listenHttpAndHttps({
    host: options.host,
    port: options.port,
    tls: { keyPem: options.tls.keyPem, certPem: options.tls.certPem },
    logger: log,
    onRequest: handler,
  });
  const port = server.port;
  log.info({ host: options.host, port }, 'admin API listening (HTTP and HTTPS)');

  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => {
      closing ??= (async () => {
        await server.close();
        await app.close();
        log.info({ port }, 'admin API closed');
      })();
      return closing;
    },
  };
}
