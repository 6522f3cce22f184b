/**
 * The admin port: HTTP and HTTPS on ONE TCP port, both served by the same fastify app.
 *
 * `@azure/service-bus` 7.9.5's admin client always speaks https to the endpoint's port, while
 * newer clients, curl and health checks speak plain http to the same port (Microsoft's emulator
 * uses 5300). So each connection's first byte decides (src/http/dualPort.ts). Both sides call the
 * app through `app.routing`, fastify's own request entry point, and both take AMQP over
 * WebSockets upgrades on `/$servicebus/websocket` when the emulator passes the gateway.
 *
 * The app is loaded on the first request that needs it (src/http/lazyApp.ts); health probes and
 * WebSocket upgrades never do (src/http/healthProbe.ts).
 */
import type http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { AuthConfig } from '../auth/types.js';
import type { BrokerApi } from '../broker/api.js';
import type { TlsMaterial } from '../tls/certs.js';
import type { ControlPlane } from '../control/index.js';
import type { NamespaceLookup } from '../auth/namespace.js';
import { listenHttpAndHttps } from './dualPort.js';
import { answerHealthProbe, isPlainHealthProbe } from './healthProbe.js';
import { lazyAdminApp } from './lazyApp.js';
import { serveUpgradeAsRequest } from './upgradeAsRequest.js';

/** Takes the HTTP upgrades it handles (AMQP over WebSockets, src/amqp/websocket.ts). */
export interface UpgradeTarget {
  handles(req: IncomingMessage): boolean;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

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
  /** AMQP over WebSockets on this port too (HTTP and HTTPS alike). */
  webSocket?: UpgradeTarget;
  /** The test control plane to serve under /emulator; none: its API is off. */
  control?: ControlPlane;
  /** Namespaces besides the default one, by key name. */
  namespaceFor?: NamespaceLookup;
  /** The default namespace's admin faults (see AdminAppDeps). */
  checkAdminFault?: (path: string) => void;
}

export interface AdminServer {
  port: number;
  /** Whether the admin app (fastify and the routes) has been loaded: false until a request needs it. */
  appLoaded(): boolean;
  close(): Promise<void>;
}

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const log = options.logger;
  const app = lazyAdminApp({
    broker: options.broker,
    auth: options.auth,
    logger: options.logger,
    isReady: options.isReady,
    tls: options.tls,
    control: options.control,
    namespaceFor: options.namespaceFor,
    checkAdminFault: options.checkAdminFault,
  });

  const handler: http.RequestListener = (req, res) => {
    if (isPlainHealthProbe(req)) return answerHealthProbe(req, res, options.isReady(), log);
    app.handle(req, res);
  };
  const webSocket = options.webSocket;
  const server = await listenHttpAndHttps({
    host: options.host,
    port: options.port,
    tls: { keyPem: options.tls.keyPem, certPem: options.tls.certPem },
    logger: log,
    onRequest: handler,
    onUpgrade: webSocket
      ? (req, socket, head) => {
          if (webSocket.handles(req)) return webSocket.upgrade(req, socket, head);
          // With an 'upgrade' listener Node hands over every request that asks to upgrade (curl's
          // h2c probe, a WebSocket to another path): answer those as the plain requests they
          // also are, so the admin routes see them as they did before WebSockets.
          serveUpgradeAsRequest(req, socket, head, handler);
        }
      : undefined,
  });
  const port = server.port;
  log.info({ host: options.host, port }, 'admin API listening (HTTP and HTTPS)');

  let closing: Promise<void> | undefined;
  return {
    port,
    appLoaded: app.loaded,
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
