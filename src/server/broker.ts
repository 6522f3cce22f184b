/**
 * Builds the broker core. Isolated here so the composition root does not depend on how the core
 * exports its class.
 */
import * as core from '../broker/index.js';
import type { BrokerApi, BrokerOptions } from '../broker/api.js';

type BrokerConstructor = new (options: BrokerOptions) => BrokerApi;

export function createBroker(options: BrokerOptions): BrokerApi {
  const Broker = (core as unknown as { Broker?: BrokerConstructor }).Broker;
  if (Broker === undefined) throw new Error('the broker core (src/broker/index.ts) does not export Broker yet');
  return new Broker(options);
}
