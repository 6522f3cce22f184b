import { expect } from 'vitest';
import { Broker, FakeClock, isBrokerError, type MessageInput, type StoredMessage } from '../../src/broker/index.js';
import type { BrokerOptions } from '../../src/broker/api.js';

export const T0 = Date.UTC(2025, 0, 1);

export function setup(onWakeup?: (at: number) => void, options: Pick<BrokerOptions, 'sku'> = {}) {
  const clock = new FakeClock(T0);
  const broker = new Broker({ clock, onWakeup, ...options });
  /** Moves the clock and runs what is due, as the host's timer would. */
  const advance = (ms: number) => {
    clock.advance(ms);
    broker.tick();
  };
  return { clock, broker, advance };
}

export const msg = (payload: unknown, extra: Partial<MessageInput> = {}): MessageInput => ({ payload, size: 10, ...extra });

export const payloads = (ms: StoredMessage[]) => ms.map((m) => m.payload);

export function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected BrokerError ${code}`).toBeDefined();
  expect(isBrokerError(caught), `expected a BrokerError, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}
