/**
 * The composition root: config → broker (+ its timer) → TLS material → AMQP listeners → admin
 * HTTP(S) server. `startEmulator()` is what the CLI, the Docker image, our own tests and users'
 * vitest/jest global setups call.
 *
 *   const emu = await startEmulator({ amqpPort: 0, httpPort: 0, amqpsPort: null });
 *   const client = new ServiceBusClient(emu.connectionString);
 *   ...
 *   await emu.close();
 *
 * AMQP over WebSockets is served on the admin port (and on `wsPort` when given) by the same
 * engine as the AMQP ports.
 *
 * Ready means every listener accepts connections and every configured entity exists; /health
 * answers 200 from then on. close() stops the listeners in order (AMQP, then HTTP, then the timer).
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { BrokerApi } from '../broker/api.js';
import { defaultAuthConfig, type AuthConfig } from '../auth/types.js';
import { startAmqpListeners, type AmqpListeners } from '../amqp/listener.js';
import { CONNECTION_MEMORY_BUDGET } from '../amqp/limits.js';
import { createWebSocketGateway, type WebSocketGateway } from '../amqp/websocket.js';
import { startAdminServer, type AdminServer } from '../http/server.js';
import { startWebSocketPort, type WebSocketPort } from '../http/websocketPort.js';
import { ensureTlsMaterial, type TlsMaterial } from '../tls/certs.js';
import { applyConfig } from '../config/apply.js';
import { DEFAULT_CONFIG, DEFAULT_CONFIG_SOURCE } from '../config/default.js';
import { ConfigError } from '../config/errors.js';
import { INLINE_CONFIG_SOURCE, loadConfigFile, validateConfig } from '../config/parse.js';
import type { ConfigFile, EmulatorConfig } from '../config/types.js';
import { ControlPlane, type ControlSurface, type NamespaceInfo } from '../control/index.js';
import type { ClockMode } from '../control/clock.js';
import { brokerEntityPolicies } from './entityPolicies.js';
import { DEFAULTS, defaultTlsDir, LOG_LEVELS, type LogLevel } from './defaults.js';
import { createRootLogger } from './logger.js';
import { NamespaceRegistry } from './namespaces.js';
import { hostNamespace } from './namespaceHost.js';
import { listenError, port } from './listenError.js';

export { ListenError } from './listenError.js';

export interface EmulatorOptions {
  /** Interface to bind. Default 127.0.0.1 (the Docker image uses 0.0.0.0). */
  host?: string;
  /** Plain AMQP port; 0 picks a free one. Default 5672. */
  amqpPort?: number;
  /** AMQP over TLS; 0 picks a free one, null disables it. Default 5671. */
  amqpsPort?: number | null;
  /** Admin API and /health (HTTP and HTTPS on one port); 0 picks a free one. Default 5300. */
  httpPort?: number;
  /**
   * A port of its own for AMQP over WebSockets (wss and ws), for clients that dial 443; 0 picks
   * a free one. Default null: off (the admin port serves WebSockets in any case).
   */
  wsPort?: number | null;
  /** Holds ca.pem, cert.pem, key.pem; generated when missing. Default: see defaultTlsDir(). */
  tlsDir?: string;
  /**
   * DNS names and IP addresses the generated server certificate covers besides localhost,
   * 127.0.0.1 and ::1 (a Compose service name, a host's LAN name). A certificate we generated
   * earlier that lacks one is re-issued by the same CA.
   */
  tlsHostnames?: string[];
  /** A Config.json file (JSONC). Exclusive with `config`. */
  configPath?: string;
  /** A Config.json-shaped object. Exclusive with `configPath`. Neither: the embedded default. */
  config?: ConfigFile;
  /** SAS key name and key accepted on AMQP (CBS) and the admin API. */
  keyName?: string;
  key?: string;
  /**
   * Level of the root logger the emulator makes (stderr): fatal, error, warn, info, debug, trace
   * or silent (checked at run time, so an environment variable can be passed as is).
   * Default 'warn'. Ignored with `logger`.
   */
  logLevel?: LogLevel | (string & {});
  /** Use this pino logger instead (the emulator makes child loggers of it). */
  logger?: Logger;
  /**
   * How long an AMQP connection may stay open without authenticating (a valid put-token or SASL
   * PLAIN credentials) before it is closed, in ms. Default 20,000, Azure's figure; for tests.
   */
  amqpAuthTimeoutMs?: number;
  /**
   * 'system' (default): the wall clock. 'offset': the wall clock plus an offset that
   * `emulator.clock.advance()` (or POST /emulator/clock/advance) moves forward.
   */
  clock?: ClockMode | (string & {});
  /** Serve the test control API (/emulator/...) on the admin port. Default true. */
  controlApi?: boolean;
  /** Events the journal keeps (the newest); 0 turns the journal off. Default 100,000. */
  journalSize?: number;
}

/** The test control plane (src/control) is part of it: clock, reset, purge, inspect, journal, faults. */
export interface Emulator extends ControlSurface {
  /**
   * A namespace of its own for a test file: its connection strings reach only it (by their SAS
   * key name, `ns-<name>`), on the same ports. Gone after deleteNamespace(), reset() or close().
   */
  createNamespace(name?: string): NamespaceInfo;
  /** Removes a namespace made by createNamespace(); its AMQP connections are closed. */
  deleteNamespace(name: string): void;
  /**
   * The control API of one namespace (a per-test one, or one Config.json defines after its
   * first): its own clock offset, reset, inspection, journal and faults.
   */
  namespace(name: string): ControlSurface;
  /** For ServiceBusClient: `Endpoint=sb://localhost:<amqpPort>;...;UseDevelopmentEmulator=true;` */
  connectionString: string;
  /** For ServiceBusAdministrationClient: the same, with the HTTP port. */
  adminConnectionString: string;
  host: string;
  amqpPort: number;
  /** Undefined when AMQPS is disabled. */
  amqpsPort: number | undefined;
  httpPort: number;
  /** The WebSocket port; undefined when off. The admin port serves WebSockets too. */
  wsPort: number | undefined;
  tlsDir: string;
  /** The CA clients trust for AMQPS and HTTPS (e.g. NODE_EXTRA_CA_CERTS). */
  caPath: string;
  broker: BrokerApi;
  logger: Logger;
  /** Stops listeners in order: AMQP, HTTP, then the broker timer. Idempotent. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? DEFAULTS.host;
  const amqpPort = port(options.amqpPort ?? DEFAULTS.amqpPort, 'amqpPort');
  const amqpsPort = options.amqpsPort === null ? null : port(options.amqpsPort ?? DEFAULTS.amqpsPort, 'amqpsPort');
  const httpPort = port(options.httpPort ?? DEFAULTS.httpPort, 'httpPort');
  const wsPort = options.wsPort === undefined || options.wsPort === null ? null : port(options.wsPort, 'wsPort');
  const tlsDir = options.tlsDir ?? defaultTlsDir();
  const keyName = options.keyName ?? DEFAULTS.keyName;
  const key = options.key ?? DEFAULTS.key;
  if (keyName === '' || key === '') throw new Error('the SAS key name and key must not be empty');
  const level = options.logLevel ?? DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`unknown log level '${level}'; use one of ${LOG_LEVELS.join(', ')}`);
  }
  const logger = options.logger ?? createRootLogger(level as LogLevel);

  // Everything that can be wrong with the configuration fails here, before any port is bound.
  const config = readConfig(options);
  const auth = authConfig(keyName, key, config);

  const control = new ControlPlane({ clock: options.clock as ClockMode | undefined, journalSize: options.journalSize });
  let amqp: AmqpListeners | undefined;
  const [first, ...others] = config.namespaces;
  const root = hostNamespace({
    name: '',
    clock: control.clock,
    config: { ...config, namespaces: first === undefined ? [] : [first] },
    control,
    logger,
    links: () => amqp?.links.forNamespace(''),
    names: () => (first === undefined ? [] : [first.name]),
  });
  const broker = root.broker;
  control.attach(root.control);
  // Connection strings need the ports, known once listening.
  let strings = (_keyName: string, _key: string) => ({ amqp: '', admin: '' });
  const namespaces = new NamespaceRegistry({
    control,
    config,
    logger: logger.child({ component: 'namespaces' }),
    connectionStrings: (keyName, key) => strings(keyName, key),
    linksFor: (name) => amqp?.links.forNamespace(name),
  });
  control.namespaces = namespaces;
  // The emulator's clock is the default namespace's; every other namespace runs on it.
  control.clock.onAdvance = () => {
    root.tick();
    namespaces.tick();
  };
  auth.entityPolicies = brokerEntityPolicies(broker);

  let http: AdminServer | undefined;
  let gateway: WebSocketGateway | undefined;
  let wsListener: WebSocketPort | undefined;
  let ready = false;
  const stop = async (): Promise<void> => {
    ready = false;
    const failures: unknown[] = [];
    for (const step of [() => gateway?.close(), () => amqp?.close(), () => http?.close(), () => wsListener?.close()]) {
      try {
        await step();
      } catch (err) {
        failures.push(err);
      }
    }
    root.stop();
    namespaces.clear();
    if (failures.length > 0) throw failures[0];
  };

  try {
    const counts = applyConfig(broker, root.control.parts.config);
    others.forEach((ns, i) => namespaces.addConfigured(ns, key, config.source, i + 1));
    logger.info({ source: config.source, ...counts, namespaces: config.namespaces.length }, 'configuration applied');
    if (config.logging !== undefined) {
      logger.debug({ loggingType: config.logging.type }, 'Config.json Logging.Type is accepted and ignored: logs go to stderr');
    }

    const tls = await tlsMaterial(tlsDir, options.tlsHostnames ?? []);

    try {
      amqp = await startAmqpListeners({
        broker: root.faulty,
        delayFor: root.faults.delayFor,
        host,
        amqpPort,
        amqpsPort,
        tls: { key: tls.keyPem, cert: tls.certPem },
        auth,
        logger: logger.child({ component: 'amqp' }),
        authTimeoutMs: options.amqpAuthTimeoutMs,
        namespaceFor: namespaces.forKeyName,
      });
    } catch (err) {
      const failedPort = (err as { port?: number }).port;
      const which = amqpsPort !== null && failedPort === amqpsPort && amqpsPort !== 0 ? 'AMQPS' : 'AMQP';
      throw listenError(err, which, host, which === 'AMQPS' ? (amqpsPort ?? 0) : amqpPort);
    }

    // Upgrades become streams on the AMQP listeners' engine: the same limits and authentication.
    const streams = amqp;
    gateway = createWebSocketGateway({
      accept: (stream) => streams.acceptStream(stream),
      logger: logger.child({ component: 'websocket' }),
      maxPayload: CONNECTION_MEMORY_BUDGET,
    });

    try {
      http = await startAdminServer({
        broker,
        host,
        port: httpPort,
        tls,
        auth,
        logger: logger.child({ component: 'http' }),
        isReady: () => ready,
        webSocket: gateway,
        control: options.controlApi === false ? undefined : control,
        namespaceFor: namespaces.forKeyName,
        checkAdminFault: (path) => root.faults.check('admin', path),
      });
    } catch (err) {
      throw listenError(err, 'HTTP', host, httpPort);
    }

    if (wsPort !== null) {
      try {
        wsListener = await startWebSocketPort({ host, port: wsPort, tls, logger: logger.child({ component: 'websocket' }), webSocket: gateway });
      } catch (err) {
        throw listenError(err, 'WebSocket', host, wsPort);
      }
    }

    ready = true;
    const endpointHost = connectionHost(host);
    const connectionString = buildConnectionString(endpointHost, amqp.amqpPort, keyName, key);
    const adminConnectionString = buildConnectionString(endpointHost, http.port, keyName, key);
    const ports = { amqp: amqp.amqpPort, http: http.port };
    strings = (name, secret) => ({ amqp: buildConnectionString(endpointHost, ports.amqp, name, secret), admin: buildConnectionString(endpointHost, ports.http, name, secret) });
    logger.info(
      { host, amqpPort: amqp.amqpPort, amqpsPort: amqp.amqpsPort, httpPort: http.port, wsPort: wsListener?.port, tlsDir: tls.dir },
      'emulator ready',
    );

    let closing: Promise<void> | undefined;
    return {
      connectionString,
      adminConnectionString,
      host,
      amqpPort: amqp.amqpPort,
      amqpsPort: amqp.amqpsPort,
      httpPort: http.port,
      wsPort: wsListener?.port,
      tlsDir: tls.dir,
      caPath: tls.caPath,
      broker,
      logger,
      ...control.surface(),
      createNamespace: (name) => namespaces.create(name),
      namespace: (name) => control.surfaceFor(name),
      deleteNamespace: (name) => namespaces.delete(name),
      close: () => {
        closing ??= stop().then(() => logger.info('emulator stopped'));
        return closing;
      },
    };
  } catch (err) {
    await stop().catch((closeErr: unknown) => logger.warn({ err: closeErr }, 'cleanup after a failed start failed'));
    throw err;
  }
}

/**
 * ensureTlsMaterial, one call per directory at a time within this process, so emulators started
 * together (Promise.all in a test setup) do not generate two CAs into the same files.
 */
const tlsInProgress = new Map<string, Promise<TlsMaterial>>();
async function tlsMaterial(dir: string, names: readonly string[]): Promise<TlsMaterial> {
  const key = resolve(dir);
  const previous = tlsInProgress.get(key) ?? Promise.resolve(undefined);
  const next = previous.catch(() => undefined).then(() => ensureTlsMaterial(dir, Date.now(), names));
  tlsInProgress.set(key, next);
  try {
    return await next;
  } finally {
    if (tlsInProgress.get(key) === next) tlsInProgress.delete(key);
  }
}

/** `Endpoint=sb://<host>:<port>;SharedAccessKeyName=...;SharedAccessKey=...;UseDevelopmentEmulator=true;` */
export function buildConnectionString(host: string, port: number, keyName: string, key: string): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `Endpoint=sb://${h}:${port};SharedAccessKeyName=${keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true;`;
}

/**
 * The host clients should use. Loopback and wildcard binds become `localhost`: several SDKs
 * accept UseDevelopmentEmulator only for localhost endpoints.
 */
export function connectionHost(bindHost: string): string {
  const loopbackOrAny = ['127.0.0.1', '0.0.0.0', '::', '::1', '[::]', '[::1]', 'localhost', ''];
  return loopbackOrAny.includes(bindHost.toLowerCase()) ? 'localhost' : bindHost;
}

function readConfig(options: EmulatorOptions): EmulatorConfig {
  if (options.configPath !== undefined && options.config !== undefined) {
    throw new Error('give either configPath or config, not both');
  }
  if (options.configPath !== undefined) return loadConfigFile(options.configPath);
  if (options.config !== undefined) return validateConfig(options.config, INLINE_CONFIG_SOURCE);
  return validateConfig(DEFAULT_CONFIG, DEFAULT_CONFIG_SOURCE);
}

function authConfig(keyName: string, key: string, config: EmulatorConfig): AuthConfig {
  const auth = defaultAuthConfig();
  auth.keys = [{ name: keyName, key, rights: ['Manage', 'Send', 'Listen'] }];
  config.sharedAccessKeys.forEach((extra, i) => {
    if (auth.keys.some((k) => k.name.toLowerCase() === extra.name.toLowerCase())) {
      throw new ConfigError(
        config.source,
        `Emulator.SharedAccessKeys[${i}].KeyName`,
        `a key named '${extra.name}' is already defined (key names must be unique, the --key-name one included)`,
      );
    }
    auth.keys.push(extra);
  });
  return auth;
}
