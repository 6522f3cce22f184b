/** Builds the admin app over a broker for inject tests, and signs requests like the JS SDK does. */
import { createHmac } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import { pino } from 'pino';
import { defaultAuthConfig, type AuthConfig } from '../../../src/auth/types.js';
import { FakeClock } from '../../../src/broker/clock.js';
import { buildAdminApp } from '../../../src/http/app.js';
import type { TlsMaterial } from '../../../src/tls/certs.js';
import { Broker } from '../../../src/broker/index.js';
import type { NamespaceSku } from '../../../src/broker/types.js';

export const HOST = 'localhost:5300';
export const NOW = Date.UTC(2025, 0, 1);

export interface Harness {
  app: FastifyInstance;
  broker: Broker;
  clock: FakeClock;
  ready: { value: boolean };
  /** inject with an Authorization header as the JS SDK signs it (unless headers.authorization is given). */
  request(opts: InjectOptions & { url: string }): Promise<LightMyRequestResponse>;
}

/** The real broker core, on a fake clock. */
export function makeBroker(clock: FakeClock, sku?: NamespaceSku): Broker {
  return new Broker({ clock, sku });
}

export async function makeHarness(options: { auth?: AuthConfig; tls?: TlsMaterial; sku?: NamespaceSku } = {}): Promise<Harness> {
  const clock = new FakeClock(NOW);
  const broker = makeBroker(clock, options.sku);
  const ready = { value: true };
  const app = buildAdminApp({
    broker,
    auth: options.auth ?? defaultAuthConfig(),
    logger: pino({ level: 'silent' }),
    isReady: () => ready.value,
    tls: options.tls,
    now: () => clock.now(),
  });
  await app.ready();
  return {
    app,
    broker,
    clock,
    ready,
    request: (opts) => {
      const headers: Record<string, string> = { host: HOST, ...(opts.headers as Record<string, string> | undefined) };
      if (!('authorization' in headers)) headers.authorization = sdkToken(`https://${HOST}${opts.url}`, clock.now());
      if (headers.authorization === '') delete headers.authorization;
      return app.inject({ ...opts, headers });
    },
  };
}

/** The token @azure/service-bus's admin client puts in Authorization (sasServiceClientCredentials.js). */
export function sdkToken(url: string, nowMs: number, keyName = 'RootManageSharedAccessKey', key = 'SAS_KEY_VALUE'): string {
  const targetUri = encodeURIComponent(url.toLowerCase()).toLowerCase();
  const expiry = Math.round(nowMs / 1000) + 300;
  const sig = createHmac('sha256', Buffer.from(key, 'utf8')).update(`${targetUri}\n${expiry}`).digest('base64');
  return `SharedAccessSignature sig=${sig}&se=${expiry}&skn=${keyName}&sr=${targetUri}`;
}

/** @azure/core-xml's parser options (what the SDK parses responses with). */
const sdkParser = new XMLParser({
  attributesGroupName: '$',
  textNodeName: '_',
  ignoreAttributes: false,
  parseAttributeValue: false,
  parseTagValue: false,
  attributeNamePrefix: '',
  processEntities: true,
  trimValues: false,
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function parseLikeSdk(xml: string): Json {
  const parsed = sdkParser.parse(xml) as Json;
  delete parsed['?xml'];
  return parsed;
}
