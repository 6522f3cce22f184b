/**
 * `GET /health` without fastify: the admin port answers health probes before (and without ever)
 * loading the admin app (src/http/lazyApp.ts), so a container whose tests never touch the admin
 * API does not pay for fastify. routes/health.ts serves the same answer inside the app (for
 * `app.inject()` and every request this file leaves to it).
 *
 * Only the plain probe is taken here: GET or HEAD, no body, the path `/health` in any case with
 * an optional trailing slash and any query, and not an ATOM request (`health` is also a legal
 * queue or topic name). Anything else goes to the app, which decides as it always did.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';

/** What tells an admin API client from a health probe: a SAS signature or an api-version. */
export function isAtomRequest(req: IncomingMessage): boolean {
  return (
    req.headers.authorization !== undefined ||
    req.headers.servicebusauthorization !== undefined ||
    /[?&]api-version=/i.test(req.url ?? '') ||
    /atom/i.test(req.headers['content-type'] ?? '')
  );
}

export const HEALTHY = { status: 'healthy', message: 'Service is healthy.' } as const;
export const STARTING = { status: 'unhealthy', message: 'Service is starting.' } as const;

const HEALTH_PATH = /^\/health\/?(?:\?|$)/i;

/** A probe this file can answer as the app would; a body (which the app would parse) is not. */
export function isPlainHealthProbe(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (!HEALTH_PATH.test(req.url ?? '')) return false;
  if (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) !== 0) return false;
  return !isAtomRequest(req);
}

/** The answer of routes/health.ts, with the same headers and the same debug line. */
export function answerHealthProbe(req: IncomingMessage, res: ServerResponse, ready: boolean, log: Logger): void {
  const started = performance.now();
  const status = ready ? 200 : 503;
  const body = JSON.stringify(ready ? HEALTHY : STARTING);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  if (log.isLevelEnabled('debug')) {
    const ms = Math.round(performance.now() - started);
    log.child({ reqId: randomUUID() }).debug({ method: req.method, url: req.url, status, ms }, 'admin request');
  }
}
