/**
 * The one place broker errors become AMQP: conditions for detaches and rejections, and the
 * statusCode that $management responses carry.
 */
import { BrokerError, messageFor, type BrokerErrorCode } from '../broker/errors.js';

export interface AmqpError {
  condition: string;
  description: string;
  /**
   * Always present (null): pyamqp reads the error's third field by position, and a two-field
   * error made its send callback fail and the send hang.
   */
  info: null;
}

const MAP: Record<BrokerErrorCode, { condition: string; status: number }> = {
  EntityNotFound: { condition: 'amqp:not-found', status: 404 },
  EntityAlreadyExists: { condition: 'com.microsoft:entity-already-exists', status: 409 },
  MessageLockLost: { condition: 'com.microsoft:message-lock-lost', status: 410 },
  SessionLockLost: { condition: 'com.microsoft:session-lock-lost', status: 410 },
  SessionCannotBeLocked: { condition: 'com.microsoft:session-cannot-be-locked', status: 410 },
  Timeout: { condition: 'com.microsoft:timeout', status: 408 },
  ServerBusy: { condition: 'com.microsoft:server-busy', status: 503 },
  MessageNotFound: { condition: 'com.microsoft:message-not-found', status: 404 },
  EntityDisabled: { condition: 'com.microsoft:entity-disabled', status: 400 },
  QuotaExceeded: { condition: 'amqp:resource-limit-exceeded', status: 403 },
  MessageSizeExceeded: { condition: 'amqp:link:message-size-exceeded', status: 413 },
  InvalidOperation: { condition: 'amqp:not-allowed', status: 400 },
  ArgumentError: { condition: 'com.microsoft:argument-error', status: 400 },
  TransactionUnknown: { condition: 'amqp:transaction:unknown-id', status: 404 },
  TransactionTimeout: { condition: 'amqp:transaction:timeout', status: 408 },
  TransactionRollback: { condition: 'amqp:transaction:rollback', status: 400 },
};

export const UNAUTHORIZED = 'amqp:unauthorized-access';
export const INTERNAL = 'amqp:internal-error';

/** `host`: the hostname the client opened the connection with, to name a missing entity in full. */
export function toAmqpError(e: unknown, host?: string): AmqpError {
  if (e instanceof BrokerError) return { condition: MAP[e.code].condition, description: messageFor(e, host), info: null };
  return { condition: INTERNAL, description: e instanceof Error ? e.message : String(e), info: null };
}

export function toManagementStatus(e: unknown): { statusCode: number; condition: string; description: string } {
  if (e instanceof BrokerError) return { statusCode: MAP[e.code].status, condition: MAP[e.code].condition, description: e.message };
  if (e instanceof ArgumentProblem) return { statusCode: 400, condition: 'com.microsoft:argument-error', description: e.message };
  return { statusCode: 500, condition: INTERNAL, description: e instanceof Error ? e.message : String(e) };
}

/** A malformed management request (missing or mistyped field). */
export class ArgumentProblem extends Error {}
