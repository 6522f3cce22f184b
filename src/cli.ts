#!/usr/bin/env node
/**
 * `sbemu`: runs the emulator until SIGINT or SIGTERM.
 *
 * Exit codes: 0 after a clean shutdown (and for --help / --version), 1 when it cannot start (a port
 * in use, TLS files unreadable...), 2 for a bad configuration file or bad command-line usage.
 * On ready it prints `Emulator Service is Successfully Up!` on stdout, as Microsoft's emulator does
 * (Testcontainers waits for that line). Logs go to stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isConfigError } from './config/errors.js';
import { CONTAINER_CONFIG_PATH, DEFAULTS, LOG_LEVELS, type LogLevel } from './server/defaults.js';
import { ListenError, startEmulator, type Emulator, type EmulatorOptions } from './server/emulator.js';

const READY_LINE = 'Emulator Service is Successfully Up!';

const EXIT_START_FAILED = 1;
const EXIT_USAGE = 2;

interface CliOptions {
  config?: string;
  host: string;
  amqpPort: number;
  amqpsPort: number;
  httpPort: number;
  wsPort: number;
  tlsDir?: string;
  tlsHostnames?: string[];
  keyName: string;
  key: string;
  logLevel: LogLevel;
  clock: 'system' | 'offset';
  controlApi: 'on' | 'off';
  journalSize: number;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 picks a free port).');
  }
  return n;
}

function parseJournalSize(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of events, 0 or more.');
  return n;
}

/** PORT_OFF when a listener is disabled (commander turns a parser's null into ''). */
const PORT_OFF = -1;

function parseOptionalPort(value: string): number {
  return ['off', 'none', 'false', 'disabled'].includes(value.trim().toLowerCase()) ? PORT_OFF : parsePort(value);
}

/** `a,b, c` to names; `@host` stands for the host name, which a container learns only at run time. */
function parseHostnames(value: string): string[] {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
    .map((n) => (n === '@host' ? hostname() : n));
  for (const n of names) {
    if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(n)) throw new InvalidArgumentError(`'${n}' is not a DNS name or an IP address.`);
  }
  return names;
}

function packageVersion(): string {
  // dist/cli.js and src/cli.ts both sit one level below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function buildProgram(): Command {
  return new Command('sbemu')
    .description(
      'A local, in-memory emulator of Azure Service Bus for development and integration tests.\n' +
        'Point the official SDKs at the connection string it prints.',
    )
    .version(packageVersion(), '-v, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help and exit')
    .addOption(
      new Option('-c, --config <file>', "a Config.json in Microsoft's emulator format (JSONC); default: the embedded one").env(
        'CONFIG_PATH',
      ),
    )
    // Not EMULATOR_HOST: Microsoft's samples and compose files use that name on the client side
    // (the host to connect to), and a shared .env would make us listen on loopback only.
    .addOption(new Option('--host <address>', 'interface to listen on').env('EMULATOR_LISTEN_HOST').default(DEFAULTS.host))
    .addOption(
      new Option('--amqp-port <port>', 'plain AMQP port (0: a free port)')
        .env('AMQP_PORT')
        .default(DEFAULTS.amqpPort)
        .argParser(parsePort),
    )
    .addOption(
      new Option('--amqps-port <port>', "AMQP over TLS port (0: a free port, 'off': disabled)")
        .env('AMQPS_PORT')
        .default(DEFAULTS.amqpsPort)
        .argParser(parseOptionalPort),
    )
    .addOption(
      new Option('--http-port <port>', 'admin API (HTTP and HTTPS) and /health port (0: a free port)')
        .env('EMULATOR_HTTP_PORT')
        .default(DEFAULTS.httpPort)
        .argParser(parsePort),
    )
    .addOption(
      new Option('--ws-port <port>', "AMQP over WebSockets on a port of its own, wss and ws (0: a free port, 'off': disabled; the admin port serves it too)")
        .env('EMULATOR_WS_PORT')
        .default(PORT_OFF, 'off')
        .argParser(parseOptionalPort),
    )
    .addOption(
      new Option('--tls-dir <dir>', 'directory of ca.pem, cert.pem, key.pem; generated when missing')
        .env('TLS_DIR')
        .default(undefined, '~/.servicebus-emulator/tls'),
    )
    .addOption(
      new Option(
        '--tls-hostnames <names>',
        "comma-separated DNS names and IPs the generated certificate covers besides localhost ('@host': this machine's host name)",
      )
        .env('TLS_HOSTNAMES')
        .argParser(parseHostnames),
    )
    .addOption(new Option('--key-name <name>', 'SAS key name accepted').env('SAS_KEY_NAME').default(DEFAULTS.keyName))
    .addOption(new Option('--key <key>', 'SAS key accepted').env('SAS_KEY_VALUE').default(DEFAULTS.key))
    .addOption(
      new Option('--log-level <level>', 'log level (logs go to stderr)')
        .env('LOG_LEVEL')
        .choices(LOG_LEVELS)
        .default(DEFAULTS.logLevel),
    )
    .addOption(
      new Option('--clock <clock>', "'offset' lets tests move time forward (POST /emulator/clock/advance)")
        .env('EMULATOR_CLOCK')
        .choices(['system', 'offset'])
        .default('system'),
    )
    .addOption(
      new Option('--control-api <on|off>', 'the test control API under /emulator on the admin port (Manage right)')
        .env('EMULATOR_CONTROL_API')
        .choices(['on', 'off'])
        .default('on'),
    )
    .addOption(
      new Option('--journal-size <events>', 'events the journal keeps, newest first (0: no journal)')
        .env('EMULATOR_JOURNAL_SIZE')
        .argParser(parseJournalSize)
        .default(100_000),
    )
    .addHelpText(
      'after',
      `
Connection strings (printed on start):
  Endpoint=sb://localhost:5672;SharedAccessKeyName=${DEFAULTS.keyName};SharedAccessKey=${DEFAULTS.key};UseDevelopmentEmulator=true;
  admin client: the same with :5300

Examples:
  sbemu
  sbemu --config ./Config.json --log-level info
  sbemu --amqp-port 0 --http-port 0 --amqps-port off
  sbemu --tls-hostnames sb-emulator  # HTTPS/AMQPS clients that dial https://sb-emulator:5300
  sbemu --ws-port 443                 # AMQP over WebSockets for clients that dial 443
  AMQP_PORT=5673 EMULATOR_HTTP_PORT=5301 sbemu

Exit codes: 0 clean shutdown, 1 cannot start (e.g. port in use), 2 bad configuration or usage.
ACCEPT_EULA, SQL_SERVER, MSSQL_SA_PASSWORD and SQL_WAIT_INTERVAL (Microsoft's image) are ignored, and so is
EMULATOR_HOST, the clients' variable in Microsoft's samples.`,
    )
    .showHelpAfterError('(run sbemu --help for usage)')
    .exitOverride();
}

/** The config file to load: a missing CONFIG_PATH pointing at Microsoft's container path means "default". */
function configPath(program: Command, opts: CliOptions): string | undefined {
  if (opts.config === undefined) return undefined;
  const fromEnv = program.getOptionValueSource('config') === 'env';
  if (fromEnv && opts.config === CONTAINER_CONFIG_PATH && !existsSync(opts.config)) return undefined;
  return opts.config;
}

async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    program.parse(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed the message (or the help / version) already.
      process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    throw err;
  }
  const opts = program.opts<CliOptions>();

  const options: EmulatorOptions = {
    host: opts.host,
    amqpPort: opts.amqpPort,
    amqpsPort: opts.amqpsPort === PORT_OFF ? null : opts.amqpsPort,
    httpPort: opts.httpPort,
    wsPort: opts.wsPort === PORT_OFF ? null : opts.wsPort,
    keyName: opts.keyName,
    key: opts.key,
    logLevel: opts.logLevel,
    clock: opts.clock,
    controlApi: opts.controlApi !== 'off',
    journalSize: opts.journalSize,
  };
  const file = configPath(program, opts);
  if (file !== undefined) options.configPath = file;
  if (opts.tlsDir !== undefined) options.tlsDir = opts.tlsDir;
  if (opts.tlsHostnames !== undefined) options.tlsHostnames = opts.tlsHostnames;

  let emulator: Emulator;
  try {
    emulator = await startEmulator(options);
  } catch (err) {
    process.exitCode = reportStartFailure(err, opts.logLevel === 'debug' || opts.logLevel === 'trace');
    return;
  }

  // Handlers first: a supervisor may signal the moment it reads the ready line.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal while closing: stop waiting.
      process.stderr.write(`sbemu: ${signal} again, exiting without waiting\n`);
      process.exit(EXIT_START_FAILED);
    }
    stopping = true;
    emulator.logger.info({ signal }, 'shutting down');
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`sbemu: error while shutting down: ${message(err)}\n`);
        process.exit(EXIT_START_FAILED);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  process.stdout.write(
    `${READY_LINE}\n` +
      `AMQP connection string:  ${emulator.connectionString}\n` +
      `Admin connection string: ${emulator.adminConnectionString}\n` +
      (emulator.amqpsPort === undefined ? '' : `AMQPS (TLS) port:        ${emulator.amqpsPort}\n`) +
      `AMQP over WebSockets:    wss://${hostForUrl(emulator.host)}:${emulator.httpPort}/$servicebus/websocket (ws:// too)\n` +
      (emulator.wsPort === undefined ? '' : `WebSocket port:          ${emulator.wsPort}\n`) +
      `Health:                  http://${hostForUrl(emulator.host)}:${emulator.httpPort}/health\n` +
      (opts.controlApi === 'off' ? '' : `Dashboard:               http://${hostForUrl(emulator.host)}:${emulator.httpPort}/emulator/ui/ (sign in with the key name and key)\n`) +
      `CA certificate:          ${emulator.caPath}\n`,
  );
}

function reportStartFailure(err: unknown, withStack: boolean): number {
  if (isConfigError(err)) {
    process.stderr.write(`sbemu: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof ListenError) {
    const hint = {
      AMQP: '--amqp-port (env AMQP_PORT)',
      AMQPS: "--amqps-port (env AMQPS_PORT; 'off' disables it)",
      HTTP: '--http-port (env EMULATOR_HTTP_PORT)',
      WebSocket: "--ws-port (env EMULATOR_WS_PORT; 'off' disables it)",
    }[err.listener];
    process.stderr.write(
      `sbemu: ${err.message}.\n` +
        (err.code === 'EADDRINUSE'
          ? `Is another emulator (or Microsoft's) running? Stop it, or choose another port with ${hint}; 0 picks a free one.\n`
          : `Choose another address with --host (env EMULATOR_LISTEN_HOST) or another port with ${hint}.\n`),
    );
    return EXIT_START_FAILED;
  }
  process.stderr.write(`sbemu: failed to start: ${message(err)}\n`);
  if (withStack && err instanceof Error && err.stack !== undefined) {
    process.stderr.write(`${err.stack}\n`);
  }
  return EXIT_START_FAILED;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

await main();
