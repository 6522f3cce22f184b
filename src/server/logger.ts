/**
 * The one root logger. Logs go to stderr as JSON lines (pino), so stdout carries only what the CLI
 * prints on purpose (the readiness line). Secrets are redacted wherever a child logger puts them.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './defaults.js';

/** Fields that may hold SAS keys, tokens or connection strings, at the top level or one down. */
const SECRET_KEYS = [
  'key',
  'sharedAccessKey',
  'SharedAccessKey',
  'primaryKey',
  'secondaryKey',
  'token',
  'password',
  'authorization',
  'Authorization',
  'connectionString',
  'adminConnectionString',
];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization',
  'request.headers.authorization',
  'headers.authorization',
  'auth.keys[*].key',
  'keys[*].key',
];

export function createRootLogger(level: LogLevel, destination: NodeJS.WritableStream | number = 2): Logger {
  return pino(
    {
      name: 'sbemu',
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination,
  );
}
