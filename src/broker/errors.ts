/**
 * The one error type of the broker core. Codes mirror Service Bus exception kinds;
 * src/amqp/errors.ts maps them to AMQP conditions and src/http/errors.ts to HTTP statuses.
 */
export type BrokerErrorCode =
  | 'EntityNotFound'
  | 'EntityAlreadyExists'
  | 'MessageLockLost'
  | 'SessionLockLost'
  | 'SessionCannotBeLocked'
  | 'Timeout'
  | 'ServerBusy'
  | 'MessageNotFound'
  | 'EntityDisabled'
  | 'QuotaExceeded'
  | 'MessageSizeExceeded'
  | 'InvalidOperation'
  | 'ArgumentError'
  | 'TransactionUnknown'
  | 'TransactionTimeout'
  | 'TransactionRollback';

export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
    /** For EntityNotFound: the entity path, which adapters name in full (entityNotFoundText). */
    readonly entity?: string,
  ) {
    super(message);
  }
}

/**
 * Azure's not-found text. Azure names the entity by its full address (`sb://host/path`); the core
 * knows no host, so it says the path and each adapter re-words it with the host its client used.
 */
export const entityNotFoundText = (name: string): string =>
  `The messaging entity '${name}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.`;

/** The error's message with the entity named `sb://host/path`, for adapters that know the host. */
export function messageFor(e: BrokerError, host: string | undefined): string {
  if (e.code !== 'EntityNotFound' || e.entity === undefined || host === undefined) return e.message;
  return entityNotFoundText(`sb://${host}/${e.entity.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, '')}`);
}

export const isBrokerError = (e: unknown): e is BrokerError => e instanceof BrokerError;

/** Small constructors so call sites read as the rule they enforce. */
export const errors = {
  entityNotFound: (path: string) => new BrokerError('EntityNotFound', entityNotFoundText(path), path),
  entityExists: (path: string) =>
    new BrokerError('EntityAlreadyExists', `The messaging entity '${path}' already exists.`),
  lockLost: () =>
    new BrokerError(
      'MessageLockLost',
      'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
    ),
  sessionLockLost: (sessionId?: string) =>
    new BrokerError(
      'SessionLockLost',
      `The session lock has expired on the MessageSession${sessionId === undefined ? '' : ` '${sessionId}'`}. Accept a new MessageSession.`,
    ),
  sessionCannotBeLocked: (sessionId: string) =>
    new BrokerError(
      'SessionCannotBeLocked',
      `The requested session '${sessionId}' cannot be accepted. It may be locked by another receiver.`,
    ),
  serverBusy: () =>
    new BrokerError('ServerBusy', 'The request was terminated because the entity is being throttled. Error code : 50009. Please wait 2 seconds and try again.'),
  timeout: (what: string) => new BrokerError('Timeout', `The operation did not complete within the allocated time for ${what}.`),
  messageNotFound: (what: string) => new BrokerError('MessageNotFound', what),
  disabled: (path: string, what = 'disabled') => new BrokerError('EntityDisabled', `Messaging entity '${path}' is currently ${what}.`),
  quota: (path: string, maxMb: number) =>
    new BrokerError('QuotaExceeded', `The maximum entity size has been reached or exceeded for '${path}'. Size limit: ${maxMb} MB.`),
  tooBig: (size: number, max: number) =>
    new BrokerError('MessageSizeExceeded', `The received message (size ${size} bytes) exceeds the limit (${max} bytes) currently allowed on the link.`),
  forwardTargetMissing: (name: string) =>
    new BrokerError('ArgumentError', `The auto forwarding destination entity '${name}' does not exist.`),
  invalid: (message: string) => new BrokerError('InvalidOperation', message),
  argument: (message: string) => new BrokerError('ArgumentError', message),
  transactionUnknown: (id: string) => new BrokerError('TransactionUnknown', `Transaction '${id}' is not found. It may have been committed, rolled back or never declared.`),
  transactionTimeout: (id: string) =>
    new BrokerError('TransactionTimeout', `Transaction '${id}' has timed out: it was not discharged within 2 minutes and was rolled back.`),
  transactionRollback: (id: string, why: string) => new BrokerError('TransactionRollback', `Transaction '${id}' was rolled back: ${why}`),
};
