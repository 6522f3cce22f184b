/**
 * Namespaces made at run time, one per test file: each is a broker of its own with its own timer,
 * reached through the same ports as the default namespace by its own SAS key name (`ns-<name>`).
 * They share the emulator's clock (time travel moves them all) and are gone after a reset.
 * The journal, faults and inspection of the control plane are the default namespace's.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { BrokerApi, BrokerControlApi } from '../broker/api.js';
import type { Clock } from '../broker/clock.js';
import type { NamespaceSku } from '../broker/types.js';
import type { NamespaceBinding } from '../auth/namespace.js';
import { defaultAuthConfig } from '../auth/types.js';
import { ControlError } from '../control/errors.js';
import type { NamespaceInfo, NamespacesSurface } from '../control/index.js';
import { createBroker } from './broker.js';
import { brokerEntityPolicies } from './entityPolicies.js';
import { BrokerTimer } from './brokerTimer.js';


interface Entry {
  info: NamespaceInfo;
  binding: NamespaceBinding;
  broker: BrokerApi & BrokerControlApi;
  timer: BrokerTimer;
}

export interface NamespaceRegistryOptions {
  clock: Clock;
  sku: NamespaceSku;
  logger: Logger;
  /** The AMQP and admin connection strings for a key. */
  connectionStrings(keyName: string, key: string): { amqp: string; admin: string };
  /** Closes the AMQP connections bound to a namespace being deleted. */
  dropConnections(name: string): void;
}

const NAME = /^[A-Za-z][A-Za-z0-9-]{0,48}[A-Za-z0-9]$/;
const PREFIX = 'ns-';

export class NamespaceRegistry implements NamespacesSurface {
  private readonly byName = new Map<string, Entry>();

  constructor(private readonly options: NamespaceRegistryOptions) {}

  create(name?: string): NamespaceInfo {
    const chosen = name ?? `test-${randomBytes(4).toString('hex')}`;
    if (typeof chosen !== 'string' || !NAME.test(chosen)) {
      throw new ControlError(400, 'A namespace name is 2 to 50 letters, digits and hyphens, starting with a letter and not ending with a hyphen.');
    }
    if (this.byName.has(chosen.toLowerCase())) throw new ControlError(409, `The namespace '${chosen}' already exists.`);
    const keyName = `${PREFIX}${chosen}`;
    const key = randomBytes(32).toString('base64');
    const log = this.options.logger.child({ namespace: chosen });
    const timer = new BrokerTimer(this.options.clock, { logger: log.child({ component: 'timer' }) });
    const broker = createBroker({
      clock: this.options.clock,
      onWakeup: timer.onWakeup,
      sku: this.options.sku,
      onError: (err) => log.error({ err }, 'an adapter callback threw; the broker carried on'),
    });
    timer.start(broker);
    const auth = defaultAuthConfig();
    auth.keys = [{ name: keyName, key, rights: ['Manage', 'Send', 'Listen'] }];
    auth.entityPolicies = brokerEntityPolicies(broker);
    const strings = this.options.connectionStrings(keyName, key);
    const info: NamespaceInfo = { name: chosen, keyName, key, connectionString: strings.amqp, adminConnectionString: strings.admin };
    this.byName.set(chosen.toLowerCase(), { info, binding: { name: chosen, broker, auth }, broker, timer });
    log.info('namespace created');
    return info;
  }

  /** Removes a namespace: its connections are closed, its entities and messages dropped. */
  delete(name: string): void {
    const entry = typeof name === 'string' ? this.byName.get(name.toLowerCase()) : undefined;
    if (entry === undefined) throw new ControlError(404, `No namespace '${String(name)}'.`);
    this.byName.delete(name.toLowerCase());
    entry.timer.stop();
    this.options.dropConnections(entry.info.name);
    this.options.logger.info({ namespace: entry.info.name }, 'namespace deleted');
  }

  list(): NamespaceInfo[] {
    return [...this.byName.values()].map((e) => e.info);
  }

  /** The namespace whose key name this is (key names are case-insensitive, as on Azure). */
  forKeyName = (keyName: string): NamespaceBinding | undefined => {
    if (!keyName.toLowerCase().startsWith(PREFIX)) return undefined;
    return this.byName.get(keyName.slice(PREFIX.length).toLowerCase())?.binding;
  };

  /** After a clock jump: runs what fell due in every namespace and re-arms their timers. */
  tick(): void {
    for (const e of this.byName.values()) {
      e.broker.tick();
      e.timer.reschedule();
    }
  }

  /** Deletes them all (reset, close). */
  clear(): void {
    for (const e of [...this.byName.values()]) this.delete(e.info.name);
  }
}
