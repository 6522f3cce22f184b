/**
 * The control plane of one namespace: its broker, journal, faults and clock, with reset, purge,
 * inspection and fault injection acting on it alone. The default namespace has one, and so does
 * each per-test namespace (src/server/namespaces.ts), so a test file's reset, journal or faults
 * never reach another file's namespace.
 */
import type { BrokerApi, BrokerControlApi } from '../broker/api.js';
import type { EmulatorConfig } from '../config/types.js';
import type { EmulatorClock } from './clock.js';
import { ControlError } from './errors.js';
import type { Faults } from './faults.js';
import { type BodyReader, Inspector } from './inspect.js';
import type { Journal } from './journal.js';
import { resetToConfig, type ResetResult } from './reset.js';
import { messageSpec, type MessageWriter } from './send.js';
import type { ControlSurface, LinkSurgery } from './surface.js';

export interface NamespaceParts {
  /** As clients name it; '' for the default namespace. */
  name: string;
  clock: EmulatorClock;
  broker: BrokerApi & BrokerControlApi;
  journal: Journal;
  faults: Faults;
  /** What reset restores: this namespace's entities only (none for one made at run time). */
  config: EmulatorConfig;
  readBody: BodyReader;
  write?: MessageWriter;
  /** The AMQP links and connections of this namespace, once the listener runs. */
  links: () => LinkSurgery | undefined;
  /** The names `inspect.namespaces()` reports. */
  names: () => string[];
}

export class NamespaceControl {
  readonly inspector: Inspector;

  constructor(readonly parts: NamespaceParts) {
    this.inspector = new Inspector(parts.broker, parts.readBody);
  }

  get name(): string {
    return this.parts.name;
  }

  reset(): ResetResult {
    const { broker, config, clock, links } = this.parts;
    const result = resetToConfig(broker, config, clock);
    const gone = result.removed.map((p) => p.toLowerCase());
    if (gone.length > 0) {
      links()?.detachWhere((path) => gone.some((g) => path === g || path.startsWith(`${g}/`)), {
        condition: 'amqp:not-found',
        description: 'The messaging entity was removed by an emulator reset.',
        info: null,
      });
    }
    this.parts.journal.clear();
    this.parts.faults.clear();
    return result;
  }

  purge(path: string): { removed: number } {
    if (typeof path !== 'string' || this.parts.broker.entityKind(path) === undefined || /\/\$deadletterqueue$/i.test(path)) {
      throw new ControlError(404, `No queue, topic or subscription '${String(path)}'.`);
    }
    return { removed: this.parts.broker.purge(path) };
  }

  /** The in-process API for this namespace; `reset` may be widened by the caller (the default namespace's). */
  surface(reset: () => ResetResult = () => this.reset()): ControlSurface {
    const { clock, faults, broker, journal, write, links } = this.parts;
    const entity = (path: unknown): string => {
      if (typeof path !== 'string' || broker.entityKind(path) === undefined) throw new ControlError(404, `No queue, topic or subscription '${String(path)}'.`);
      return path;
    };
    return {
      clock: {
        get mode() {
          return clock.mode;
        },
        now: () => new Date(clock.now()),
        get offsetMs() {
          return clock.offsetMs;
        },
        advance: (by) => clock.advance(by),
      },
      reset,
      purge: (path) => this.purge(path),
      inspect: {
        entities: () => this.inspector.entities(),
        messages: (path, options) => this.inspector.messages(path, options),
        sessions: (path) => this.inspector.sessions(path),
        rules: (path) => this.inspector.rules(path),
        namespaces: () => this.parts.names().map((name) => ({ name, sku: this.parts.config.sku })),
      },
      journal: (query) => journal.query(query),
      send: (path, message) => {
        if (write === undefined) throw new ControlError(409, 'This emulator has no message writer attached.');
        const [sequenceNumber] = broker.send(path, [write(messageSpec(message as unknown as Record<string, unknown>))]);
        return { sequenceNumber: sequenceNumber! };
      },
      deleteMessage: (path, sequenceNumber, options = {}) => {
        broker.removeMessage(options.deadLettered ? `${entity(path)}/$DeadLetterQueue` : entity(path), sequenceNumber);
        return { deleted: true };
      },
      resubmit: (path, sequenceNumber) => ({ sequenceNumber: broker.resubmitDeadLettered(entity(path), sequenceNumber) }),
      faults: {
        inject: (spec) => faults.arm(spec),
        list: () => faults.list(),
        clear: () => faults.clear(),
        dropConnections: (path) => {
          const target = path === undefined ? undefined : entity(path);
          return { connections: links()?.dropConnections(target, 'The emulator dropped this connection (fault injection).') ?? 0 };
        },
        expireLocks: (path, options = {}) => {
          const seq = options.sequenceNumber;
          if (seq !== undefined && (!Number.isSafeInteger(seq) || seq < 0)) throw new ControlError(400, '"sequenceNumber" must be a whole number.');
          return { locks: broker.expireMessageLocks(entity(path), seq) };
        },
        expireSessionLock: (path, sessionId) => {
          if (typeof sessionId !== 'string') throw new ControlError(400, '"session" must be a session id.');
          return { expired: broker.expireSessionLock(entity(path), sessionId) };
        },
      },
    };
  }
}
