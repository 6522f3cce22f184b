/** Builds the broker core for the emulator. */
import { Broker } from '../broker/index.js';
import type { BrokerApi, BrokerControlApi, BrokerOptions } from '../broker/api.js';

export function createBroker(options: BrokerOptions): BrokerApi & BrokerControlApi {
  return new Broker(options);
}
