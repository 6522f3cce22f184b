/**
 * Errors of the admin API: one mapping from the broker's error codes to HTTP statuses, and the
 * Service Bus error body `<Error><Code>404</Code><Detail>…</Detail></Error>`.
 *
 * The JS SDK turns statuses into error codes (atomXmlHelper.js `getErrorCode`): 401
 * UnauthorizedRequestError, 404 MessageEntityNotFoundError, 409 MessageEntityAlreadyExistsError
 * (on create), 403 QuotaExceededError (or InvalidOperationError with "SubCode=40301" in the
 * detail), 400 ServiceError, 503 ServerBusyError. A status outside its table (e.g. 408) becomes
 * "unrecognized HTTP status", so only statuses it knows are used here.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isBrokerError, messageFor, type BrokerErrorCode } from '../broker/errors.js';
import { DurationError } from './duration.js';
import { ERROR_CONTENT_TYPE, errorXml } from './errorBody.js';
import { requestHost } from './paths.js';

/** An error with the HTTP status to answer with. Thrown by handlers, parsers and hooks. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Broker error code -> HTTP status, the only place this is decided. */
export const BROKER_ERROR_STATUS: Record<BrokerErrorCode, number> = {
  EntityNotFound: 404,
  EntityAlreadyExists: 409,
  ArgumentError: 400,
  InvalidOperation: 400,
  EntityDisabled: 400,
  QuotaExceeded: 403,
  MessageSizeExceeded: 413,
  MessageNotFound: 404,
  MessageLockLost: 410,
  SessionLockLost: 410,
  SessionCannotBeLocked: 410,
  Timeout: 503,
  ServerBusy: 503,
  // Transactions are AMQP only; the admin API never raises these.
  TransactionUnknown: 404,
  TransactionTimeout: 400,
  TransactionRollback: 400,
};

// The body itself lives apart so the admin port can answer with it before this app is loaded.
export { ERROR_CONTENT_TYPE, errorXml } from './errorBody.js';

const NAME_KINDS: Record<string, string> = { entity: 'queue or topic', topic: 'topic', subscription: 'subscription', rule: 'rule' };
const SHORT_RULE = 'Use letters, digits, periods, hyphens and underscores, starting with a letter or digit, at most 50 characters.';
const NAME_RULES: Record<string, string> = {
  entity: "Use letters, digits, periods, hyphens, underscores and '/' between segments, starting with a letter or digit, at most 260 characters.",
  topic: "Use letters, digits, periods, hyphens, underscores and '/' between segments, starting with a letter or digit, at most 260 characters.",
  subscription: SHORT_RULE,
  rule: `${SHORT_RULE} '$Default' is the one name with a '$'.`,
};

/** Status and detail for anything thrown while handling a request. */
export function describeError(err: unknown, host?: string): { status: number; detail: string; unexpected: boolean } {
  if (err instanceof HttpError) return { status: err.statusCode, detail: err.message, unexpected: false };
  if (isBrokerError(err)) return { status: BROKER_ERROR_STATUS[err.code] ?? 500, detail: messageFor(err, host), unexpected: false };
  if (err instanceof DurationError) return { status: 400, detail: err.message, unexpected: false };
  const fe = err as Partial<FastifyError> | undefined;
  if (fe && typeof fe === 'object') {
    if (fe.validation) {
      if (fe.validationContext === 'params') {
        const param = fe.validation[0]?.instancePath.replace(/^\//, '') ?? 'name';
        return { status: 400, detail: `Invalid ${NAME_KINDS[param] ?? param} name. ${NAME_RULES[param] ?? ''}`.trim(), unexpected: false };
      }
      return { status: 400, detail: `Invalid request: ${fe.message ?? 'validation failed'}.`, unexpected: false };
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return { status: 413, detail: 'The request body is too large for an entity description.', unexpected: false };
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return { status: fe.statusCode, detail: fe.message ?? 'Bad request.', unexpected: false };
    }
  }
  return { status: 500, detail: 'The emulator failed to process the request.', unexpected: true };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, status: number, detail: string): FastifyReply {
  return reply.code(status).type(ERROR_CONTENT_TYPE).send(errorXml(status, detail, String(request.id)));
}

/** The error and not-found handlers: every failure becomes a Service Bus XML error, never a crash. */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err, request, reply) => {
      const { status, detail, unexpected } = describeError(err, requestHost(request.headers.host));
      if (unexpected) request.log.error({ err }, 'admin request failed');
      else request.log.debug({ status, detail }, 'admin request refused');
      return sendError(request, reply, status, detail);
    });
    app.setNotFoundHandler((request, reply) =>
      sendError(request, reply, 404, `No admin API resource matches ${request.method} ${request.url.split('?')[0]}.`),
    );
  },
  { name: 'sbemu-errors' },
);
