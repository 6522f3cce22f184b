/**
 * Every default of the emulator in one place. The CLI flags, their environment variables and the
 * in-process options all fall back to these; the README documents each.
 */
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_KEY, DEFAULT_KEY_NAME } from '../auth/types.js';

export const DEFAULTS = {
  /** Loopback only: the Docker image binds 0.0.0.0 through EMULATOR_LISTEN_HOST. */
  host: '127.0.0.1',
  /** Plain AMQP, used by SDKs when the connection string has UseDevelopmentEmulator=true. */
  amqpPort: 5672,
  /** AMQP over TLS, for connection strings without the emulator flag. */
  amqpsPort: 5671,
  /** Admin API (ATOM, HTTP and HTTPS on one port) and /health, as Microsoft's emulator. */
  httpPort: 5300,
  keyName: DEFAULT_KEY_NAME,
  key: DEFAULT_KEY,
  /** Quiet: the readiness line and errors only. */
  logLevel: 'warn',
} as const;

/** Where Microsoft's image reads its config; our image and CLI fall back to the default without it. */
export const CONTAINER_CONFIG_PATH = '/ServiceBus_Emulator/ConfigFiles/Config.json';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The TLS directory when none is given: `~/.servicebus-emulator/tls`, so the generated CA stays
 * the same across runs and is trusted once. Without a usable home directory (some CI and container
 * users), `<os tmpdir>/servicebus-emulator-<user>/tls`.
 */
export function defaultTlsDir(): string {
  let home = '';
  try {
    home = homedir();
  } catch {
    // no home directory for this uid
  }
  if (home !== '' && home !== '/') return join(home, '.servicebus-emulator', 'tls');
  let user = 'user';
  try {
    user = userInfo().username || String(process.getuid?.() ?? 'user');
  } catch {
    user = String(process.getuid?.() ?? 'user');
  }
  return join(tmpdir(), `servicebus-emulator-${user}`, 'tls');
}
