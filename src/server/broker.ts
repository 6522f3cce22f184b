/** Builds the broker core for the emulator. */
import { Broker } from '../broker/index.js';
import type { BrokerApi, BrokerOptions } from '../broker/api.js';

export function createBroker(options: BrokerOptions): BrokerApi {
  return new Broker(options);
}
