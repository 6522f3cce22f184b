/**
 * One namespace, brought up: its broker and timer on its clock, its journal and faults, and the
 * control plane that acts on them. The default namespace and every per-test namespace are built
 * here alike, so a namespace made with one call behaves as the default one does.
 */
import type { Logger } from 'pino';
import type { BrokerApi, BrokerControlApi } from '../broker/api.js';
import type { EmulatorConfig } from '../config/types.js';
import { type ControlPlane, type EmulatorClock, Faults, type LinkSurgery, NamespaceControl } from '../control/index.js';
import { encodeControlMessage } from '../amqp/controlMessage.js';
import { payloadBody } from '../amqp/payloadBody.js';
import { createBroker } from './broker.js';
import { BrokerTimer } from './brokerTimer.js';

export interface HostedNamespace {
  control: NamespaceControl;
  /** The broker itself: the in-process API and the admin API use it. */
  broker: BrokerApi & BrokerControlApi;
  /** The broker as the AMQP adapter sees it: armed faults answer first. */
  faulty: BrokerApi & BrokerControlApi;
  faults: Faults;
  /** Runs what fell due on its clock and re-arms the timer (after a clock jump). */
  tick(): void;
  stop(): void;
}

export interface NamespaceHostOptions {
  /** As clients name it; '' for the default namespace. */
  name: string;
  clock: EmulatorClock;
  /** This namespace's part of the configuration (what reset restores). */
  config: EmulatorConfig;
  control: ControlPlane;
  logger: Logger;
  links: () => LinkSurgery | undefined;
  names: () => string[];
}

export function hostNamespace(o: NamespaceHostOptions): HostedNamespace {
  const journal = o.control.newJournal();
  const timer = new BrokerTimer(o.clock, { logger: o.logger.child({ component: 'timer' }) });
  const brokerLog = o.logger.child({ component: 'broker' });
  const broker = createBroker({
    clock: o.clock,
    onWakeup: timer.onWakeup,
    sku: o.config.sku,
    onError: (err) => brokerLog.error({ err }, 'an adapter callback threw; the broker carried on'),
    onEvent: o.control.recording ? journal.record : undefined,
  });
  timer.start(broker);
  const faults = new Faults();
  const control = new NamespaceControl({
    name: o.name,
    clock: o.clock,
    broker,
    journal,
    faults,
    config: o.config,
    readBody: payloadBody,
    write: encodeControlMessage,
    links: o.links,
    names: o.names,
  });
  const tick = (): void => {
    broker.tick();
    timer.reschedule();
  };
  return { control, broker, faulty: faults.wrap(broker), faults, tick, stop: () => timer.stop() };
}
