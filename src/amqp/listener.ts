import type { Logger } from 'pino';
import type { BrokerApi } from '../broker/api.js';
import type { AuthConfig } from '../auth/types.js';

export interface AmqpListenerOptions {
  broker: BrokerApi;
  host: string;
  /** 0 picks a free port. */
  amqpPort: number;
  /** null: no TLS listener. 0 picks a free port. */
  amqpsPort: number | null;
  tls?: { key: string | Buffer; cert: string | Buffer };
  auth: AuthConfig;
  logger: Logger;
}

export interface AmqpListeners {
  amqpPort: number;
  amqpsPort?: number;
  close(): Promise<void>;
}

// Placeholder until the AMQP listener lands (issue 3): same signature, no protocol yet.
export async function startAmqpListeners(_options: AmqpListenerOptions): Promise<AmqpListeners> {
  throw new Error('AMQP listener not implemented yet');
}
