import type { Logger } from 'pino';
import type { BrokerApi } from '../broker/api.js';
import type { AuthConfig } from '../auth/types.js';
import type { TlsMaterial } from '../tls/certs.js';

export interface AdminServerOptions {
  broker: BrokerApi;
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls: TlsMaterial;
  auth: AuthConfig;
  logger: Logger;
  /** /health answers 200 only once this is true. */
  isReady: () => boolean;
}

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

// Placeholder until the admin API lands (issue 4): same signature.
export async function startAdminServer(_options: AdminServerOptions): Promise<AdminServer> {
  throw new Error('admin server not implemented yet');
}
