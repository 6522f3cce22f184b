/**
 * Namespaces besides the default one, reached through the same ports by their own SAS key name
 * (`ns-<name>`). Each is a namespace of its own (src/server/namespaceHost.ts): broker, timer,
 * journal, faults, and a clock that runs on the emulator's plus jumps made with its own key.
 *
 * Two kinds: those Config.json defines after its first namespace (their key is the emulator's;
 * a reset restores them, DELETE refuses them), and those a test makes at run time with
 * POST /emulator/namespaces (a random key; gone after DELETE, a reset or close).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { NamespaceBinding } from '../auth/namespace.js';
import { defaultAuthConfig } from '../auth/types.js';
import { applyConfig } from '../config/apply.js';
import { ConfigError } from '../config/errors.js';
import type { EmulatorConfig, NamespaceConfig } from '../config/types.js';
import { type ControlPlane, ControlError, type ControlSurface, type LinkSurgery, type NamespaceDirectory, type NamespaceInfo } from '../control/index.js';
import { brokerEntityPolicies } from './entityPolicies.js';
import { type HostedNamespace, hostNamespace } from './namespaceHost.js';

interface Entry {
  /** Without connection strings: the ports are known only once the listeners run. */
  info: Omit<NamespaceInfo, 'connectionString' | 'adminConnectionString'>;
  binding: NamespaceBinding;
  hosted: HostedNamespace;
}

export interface NamespaceRegistryOptions {
  control: ControlPlane;
  /** The whole configuration: its tier and source; a namespace's own part is cut from it. */
  config: EmulatorConfig;
  logger: Logger;
  /** The AMQP and admin connection strings for a key. */
  connectionStrings(keyName: string, key: string): { amqp: string; admin: string };
  /** The AMQP links and connections of one namespace, once the listener runs. */
  linksFor(name: string): LinkSurgery | undefined;
}

const NAME = /^[A-Za-z][A-Za-z0-9-]{0,48}[A-Za-z0-9]$/;
const PREFIX = 'ns-';

export class NamespaceRegistry implements NamespaceDirectory {
  private readonly byName = new Map<string, Entry>();

  constructor(private readonly options: NamespaceRegistryOptions) {}

  create(name?: string): NamespaceInfo {
    const chosen = name ?? `test-${randomBytes(4).toString('hex')}`;
    this.checkName(chosen);
    return this.describe(this.add(chosen, randomBytes(32).toString('base64'), []));
  }

  /** A namespace Config.json defines (after its first, the default); reached with the emulator's key. */
  addConfigured(ns: NamespaceConfig, key: string, source: string, index: number): NamespaceInfo {
    try {
      this.checkName(ns.name);
    } catch (err) {
      throw new ConfigError(source, `UserConfig.Namespaces[${index}].Name`, (err as Error).message);
    }
    const entry = this.add(ns.name, key, [ns]);
    applyConfig(entry.hosted.broker, entry.hosted.control.parts.config);
    return this.describe(entry);
  }

  /** Removes a namespace made at run time: its connections are closed, its entities and messages dropped. */
  delete(name: string): void {
    const entry = this.find(name);
    if (entry.info.configured) throw new ControlError(409, `The namespace '${entry.info.name}' is defined by the configuration; reset it instead.`);
    this.remove(entry);
  }

  list(): NamespaceInfo[] {
    return [...this.byName.values()].map((e) => this.describe(e));
  }

  surface(name: string): ControlSurface | undefined {
    return this.byName.get(name.toLowerCase())?.hosted.control.surface();
  }

  /** The namespace whose key name this is (key names are case-insensitive, as on Azure). */
  forKeyName = (keyName: string): NamespaceBinding | undefined => {
    if (!keyName.toLowerCase().startsWith(PREFIX)) return undefined;
    return this.byName.get(keyName.slice(PREFIX.length).toLowerCase())?.binding;
  };

  /** After the emulator's clock jumped: runs what fell due in every namespace. */
  tick(): void {
    for (const e of this.byName.values()) e.hosted.tick();
  }

  /** The default namespace's reset: run-time namespaces go, configured ones are reset. */
  resetAll(): void {
    for (const e of [...this.byName.values()]) {
      if (e.info.configured) e.hosted.control.reset();
      else this.remove(e);
    }
  }

  /** Stops them all (close). */
  clear(): void {
    for (const e of [...this.byName.values()]) this.remove(e);
  }

  private checkName(name: unknown): asserts name is string {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new ControlError(400, 'A namespace name is 2 to 50 letters, digits and hyphens, starting with a letter and not ending with a hyphen.');
    }
    if (this.byName.has(name.toLowerCase())) throw new ControlError(409, `The namespace '${name}' already exists.`);
  }

  private find(name: string): Entry {
    const entry = typeof name === 'string' ? this.byName.get(name.toLowerCase()) : undefined;
    if (entry === undefined) throw new ControlError(404, `No namespace '${String(name)}'.`);
    return entry;
  }

  private add(name: string, key: string, namespaces: NamespaceConfig[]): Entry {
    const { control, config, logger } = this.options;
    const keyName = `${PREFIX}${name}`;
    const clock = control.clock.child();
    const hosted = hostNamespace({
      name,
      clock,
      config: { ...config, namespaces },
      control,
      logger: logger.child({ namespace: name }),
      links: () => this.options.linksFor(name),
      names: () => [name],
    });
    // A jump made with this namespace's key runs what fell due here only.
    clock.onAdvance = hosted.tick;
    const auth = defaultAuthConfig();
    auth.keys = [{ name: keyName, key, rights: ['Manage', 'Send', 'Listen'] }];
    auth.entityPolicies = brokerEntityPolicies(hosted.broker);
    const info = { name, keyName, key, configured: namespaces.length > 0 };
    const entry: Entry = { info, binding: { name, broker: hosted.faulty, auth, delayFor: hosted.faults.delayFor, checkAdminFault: (path) => hosted.faults.check('admin', path) }, hosted };
    this.byName.set(name.toLowerCase(), entry);
    logger.info({ namespace: name, configured: info.configured }, 'namespace created');
    return entry;
  }

  private describe(entry: Entry): NamespaceInfo {
    const { name, keyName, key, configured } = entry.info;
    const strings = this.options.connectionStrings(keyName, key);
    return { name, keyName, key, connectionString: strings.amqp, adminConnectionString: strings.admin, configured };
  }

  private remove(entry: Entry): void {
    this.byName.delete(entry.info.name.toLowerCase());
    entry.hosted.stop();
    this.options.linksFor(entry.info.name)?.dropConnections(undefined, `The namespace '${entry.info.name}' was deleted.`);
    this.options.logger.info({ namespace: entry.info.name }, 'namespace deleted');
  }
}
