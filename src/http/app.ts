/**
 * The admin HTTP app: the ATOM management API of Service Bus, /health and
 * /emulator/ca.pem. Built here, served elsewhere (server.ts puts HTTP and HTTPS on one port;
 * tests use `app.inject()`).
 *
 * Layout: shared decorators and handlers are fastify-plugins (context, errors, XML bodies); the
 * ATOM routes live in one encapsulated scope behind SAS authorization, one plugin per resource.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AuthConfig } from '../auth/types.js';
import type { BrokerApi } from '../broker/api.js';
import type { TlsMaterial } from '../tls/certs.js';
import type { ControlPlane } from '../control/index.js';
import { contextPlugin, requestNamespace } from './context.js';
import { forwardingBroker, type NamespaceLookup } from '../auth/namespace.js';
import { errorHandlerPlugin, sendError } from './errors.js';
import { canonicalizeUrl, requestPath } from './paths.js';
import { authPlugin } from './plugins/auth.js';
import { xmlBodyPlugin } from './plugins/xmlBody.js';
import { controlRoutes } from './routes/control.js';
import entityRoutes from './routes/entities.js';
import healthRoutes, { atomConstraint } from './routes/health.js';
import namespaceRoutes from './routes/namespace.js';
import queueRoutes from './routes/queues.js';
import ruleRoutes from './routes/rules.js';
import subscriptionRoutes from './routes/subscriptions.js';
import topicRoutes from './routes/topics.js';
import { compileRouteSchema } from './routeValidator.js';
import { uiRoutes } from './routes/ui.js';

export interface AdminAppDeps {
  broker: BrokerApi;
  auth: AuthConfig;
  logger: Logger;
  /** /health answers 200 only once this is true. */
  isReady: () => boolean;
  /** Served at /emulator/ca.pem. */
  tls?: TlsMaterial;
  /** Epoch ms for SAS expiry checks; Date.now by default. */
  now?: () => number;
  /** The test control plane; its routes are served only when given. */
  control?: ControlPlane;
  /** Namespaces besides the default one, by key name. */
  namespaceFor?: NamespaceLookup;
  /**
   * Throws the error of an armed `admin` fault on this entity path, if any (the default
   * namespace's; another namespace's comes with its binding).
   */
  checkAdminFault?: (path: string) => void;
}

/** Entity descriptions are small; anything bigger is refused with 413. */
export const ADMIN_BODY_LIMIT = 256 * 1024;

export function buildAdminApp(deps: AdminAppDeps): FastifyInstance {
  const now = deps.now ?? Date.now;
  // The caller's logger as it is: it already carries the bindings it wants (e.g. component).
  const logger: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance: logger,
    // One debug line per request (onResponse below) instead of fastify's two info lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ADMIN_BODY_LIMIT,
    genReqId: () => randomUUID(),
    // Paths are case-insensitive (`$Resources/Queues` from JS, `$Resources/queues` from Python);
    // names with '/' become one encoded segment before routing (see paths.ts).
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 1024, constraints: { atom: atomConstraint } },
    // Errors the router raises before any handler (an over-long name, a malformed URL) get the
    // Service Bus error body too.
    frameworkErrors: (err, request, reply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      return sendError(request, reply, 400, tooLong ? 'The entity name in the request URL is longer than 260 characters.' : `The request URL is malformed (${err.message}).`);
    },
    rewriteUrl: (req) => canonicalizeUrl(req.url ?? '/'),
    return503OnClosing: true,
  });
  app.setValidatorCompiler(compileRouteSchema);

  app.register(contextPlugin, {
    context: {
      broker: forwardingBroker(() => requestNamespace.getStore()?.broker ?? deps.broker),
      namespaceFor: deps.namespaceFor,
      auth: deps.auth,
      isReady: deps.isReady,
      tls: deps.tls,
      now,
      startedAt: now(),
    },
  });
  app.register(errorHandlerPlugin);
  app.register(xmlBodyPlugin);

  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.originalUrl, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'admin request');
  });

  app.register(healthRoutes);
  app.register(async (atom) => {
    await atom.register(authPlugin);
    // After the token check, so an unauthorized request stays a 401 whatever is armed.
    atom.addHook('preHandler', async (request) => {
      const check = requestNamespace.getStore()?.checkAdminFault ?? deps.checkAdminFault;
      check?.(requestPath(request.url));
    });
    await atom.register(namespaceRoutes);
    await atom.register(queueRoutes);
    await atom.register(topicRoutes);
    await atom.register(entityRoutes);
    await atom.register(subscriptionRoutes);
    await atom.register(ruleRoutes);
  });
  const control = deps.control;
  if (control !== undefined) {
    app.register(async (scope) => controlRoutes(scope, control));
    // The dashboard's files are open; the data it shows is the control API's, behind its SAS check.
    app.register(uiRoutes);
  }
  return app;
}
