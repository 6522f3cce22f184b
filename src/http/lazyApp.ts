/**
 * The admin app (fastify, the ATOM/XML code, the routes, the dashboard), loaded on the first
 * request that needs it rather than at start-up: most runs only ever send AMQP and probe /health,
 * and the app and its dependencies were most of the emulator's idle memory. `import('./app.js')`
 * is a chunk of its own in the bundle (scripts/build.mjs).
 *
 * Requests that arrive while it loads wait for it; their bodies stay buffered in the request
 * stream until the app reads them. A failed load answers 500 with the Service Bus error body and
 * the next request tries again.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AdminAppDeps } from './app.js';
import { ERROR_CONTENT_TYPE, errorXml } from './errorBody.js';

export interface LazyAdminApp {
  /** Routes the request to the app, loading it first if needed. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Whether the app has been loaded (the first request that needed it may still be waiting). */
  loaded(): boolean;
  /** Closes the app if it was loaded (waiting for a load under way); later requests get 503. */
  close(): Promise<void>;
}

export function lazyAdminApp(deps: AdminAppDeps): LazyAdminApp {
  const log = deps.logger;
  let app: FastifyInstance | undefined;
  let loading: Promise<FastifyInstance> | undefined;
  let closed = false;

  const load = (): Promise<FastifyInstance> =>
    (loading ??= (async () => {
      const { buildAdminApp } = await import('./app.js');
      const built = buildAdminApp(deps);
      try {
        await built.ready();
      } catch (err) {
        await built.close().catch(() => undefined);
        throw err;
      }
      return built;
    })().then(
      (built) => (app = built),
      (err: unknown) => {
        log.error({ err }, 'the admin API failed to load');
        loading = undefined;
        throw err;
      },
    ));

  return {
    handle(req, res) {
      if (app) return app.routing(req, res);
      if (closed) return sendPlainError(res, 503, 'The emulator is shutting down.');
      load()
        .then(
          (ready) => {
            // A connection dropped while it waited (a client timeout, close()) needs no answer.
            if (!req.socket.destroyed) ready.routing(req, res);
          },
          () => sendPlainError(res, 500, 'The admin API could not be loaded; see the emulator log.'),
        )
        .catch((err: unknown) => {
          log.error({ err }, 'admin request failed');
          sendPlainError(res, 500, 'The admin API failed to answer; see the emulator log.');
        });
    },
    loaded: () => app !== undefined,
    async close() {
      closed = true;
      const pending = loading;
      if (pending === undefined) return;
      const loadedApp = await pending.catch(() => undefined);
      await loadedApp?.close();
    },
  };
}

function sendPlainError(res: ServerResponse, status: number, detail: string): void {
  if (res.headersSent || res.destroyed) return;
  const body = errorXml(status, detail);
  res.writeHead(status, { 'content-type': ERROR_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
