import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { defaultTlsDir } from '../../src/server/defaults.js';
import { buildConnectionString, connectionHost, ListenError, startEmulator, type Emulator } from '../../src/server/emulator.js';
import { createRootLogger } from '../../src/server/logger.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sbemu-emu-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = () => ({ amqpPort: 0, amqpsPort: null, httpPort: 0, tlsDir: join(dir, 'tls'), logLevel: 'silent' }) as const;

describe('connection strings', () => {
  it('has the emulator flag, the key and the port', () => {
    expect(buildConnectionString('localhost', 5672, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE')).toBe(
      'Endpoint=sb://localhost:5672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
    );
    expect(buildConnectionString('fe80::1', 1, 'k', 'v')).toContain('sb://[fe80::1]:1;');
  });

  it('says localhost for loopback and wildcard binds', () => {
    for (const h of ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost']) expect(connectionHost(h)).toBe('localhost');
    expect(connectionHost('192.168.1.5')).toBe('192.168.1.5');
  });
});

describe('defaults', () => {
  it('keeps TLS material in a per-user directory', () => {
    expect(defaultTlsDir()).toMatch(/servicebus-emulator.*tls$/);
  });
});

describe('root logger', () => {
  it('redacts keys, tokens and connection strings', () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    });
    const log = createRootLogger('info', sink).child({ component: 'test' });
    log.info({ key: 'k1', token: 'SharedAccessSignature sr=x&sig=y', auth: { keys: [{ name: 'n', key: 'k2' }] }, connectionString: 'cs', req: { headers: { authorization: 'a' } } }, 'hello');
    expect(out).toContain('"msg":"hello"');
    for (const secret of ['k1', 'sig=y', 'k2', '"cs"', '"a"']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });
});

describe('startEmulator refuses bad input before binding anything', () => {
  it('a bad inline config is a ConfigError with its path', async () => {
    await expect(
      startEmulator({ ...quiet(), config: { UserConfig: { Namespaces: [{ Name: 'n', Queues: [{ Name: 'q', Properties: { MaxDeliveryCount: 0 } }] }] } } }),
    ).rejects.toThrow(
      new ConfigError('<inline config>', 'UserConfig.Namespaces[0].Queues[0].Properties.MaxDeliveryCount', 'expected a whole number of at least 1, not number 0'),
    );
  });

  it('a missing config file is a ConfigError', async () => {
    await expect(startEmulator({ ...quiet(), configPath: join(dir, 'nope.json') })).rejects.toBeInstanceOf(ConfigError);
  });

  it('a SAS key in the config that repeats --key-name is a ConfigError', async () => {
    await expect(
      startEmulator({
        ...quiet(),
        config: { UserConfig: { Namespaces: [] }, Emulator: { SharedAccessKeys: [{ KeyName: 'rootmanagesharedaccesskey', Key: 'x' }] } },
      }),
    ).rejects.toThrow(/Emulator\.SharedAccessKeys\[0\]\.KeyName: a key named/);
  });

  it.each([
    [{ amqpPort: -1 }, /amqpPort must be a port number/],
    [{ httpPort: 65536 }, /httpPort must be a port number/],
    [{ logLevel: 'loud' }, /unknown log level 'loud'/],
    [{ key: '' }, /must not be empty/],
    [{ configPath: 'a.json', config: { UserConfig: { Namespaces: [] } } }, /either configPath or config/],
  ])('%j', async (opts, message) => {
    await expect(startEmulator({ ...quiet(), ...opts })).rejects.toThrow(message);
  });
});

describe('startEmulator (needs the broker, the AMQP listener, the admin server and TLS)', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator(quiet());
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('picks free ports and builds both connection strings', () => {
    expect(emu.amqpPort).toBeGreaterThan(0);
    expect(emu.httpPort).toBeGreaterThan(0);
    expect(emu.amqpsPort).toBeUndefined();
    expect(emu.connectionString).toBe(
      `Endpoint=sb://localhost:${emu.amqpPort};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
    );
    expect(emu.adminConnectionString).toBe(emu.connectionString.replace(`:${emu.amqpPort};`, `:${emu.httpPort};`));
    expect(emu.tlsDir).toBe(join(dir, 'tls'));
    expect(emu.caPath).toBe(join(dir, 'tls', 'ca.pem'));
  });

  it('creates the embedded default entities', () => {
    expect(emu.broker.listQueues().map((q) => q.name).sort()).toEqual(['queue.1', 'session-queue']);
    expect(emu.broker.getQueue('session-queue').properties.requiresSession).toBe(true);
    expect(emu.broker.getQueue('queue.1').properties.maxDeliveryCount).toBe(3);
    expect(emu.broker.listSubscriptions('topic.1').map((s) => s.name).sort()).toEqual([
      'subscription.1',
      'subscription.2',
      'subscription.3',
    ]);
    expect(emu.broker.listRules('topic.1', 'subscription.1').map((r) => r.name)).toEqual(['app-prop-filter-1']);
    expect(emu.broker.listRules('topic.1', 'subscription.3').map((r) => r.name)).toEqual(['$Default']);
  });

  it('is healthy once ready', async () => {
    const res = await fetch(`http://127.0.0.1:${emu.httpPort}/health`);
    expect(res.status).toBe(200);
  });

  it('close() stops every listener, and is idempotent', async () => {
    const other = await startEmulator(quiet());
    await Promise.all([other.close(), other.close()]);
    await expect(fetch(`http://127.0.0.1:${other.httpPort}/health`)).rejects.toThrow();
    // The ports are free again.
    for (const port of [other.amqpPort, other.httpPort]) {
      const s = createServer();
      await new Promise<void>((resolve, reject) => s.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((r) => s.close(r));
    }
  });

  it('a port in use is a ListenError naming the listener, and nothing stays open', async () => {
    const err = await startEmulator({ ...quiet(), httpPort: emu.httpPort }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListenError);
    expect((err as ListenError).listener).toBe('HTTP');
    expect((err as ListenError).message).toBe(`cannot listen on 127.0.0.1:${emu.httpPort} (HTTP): the port is already in use`);
    const amqpErr = await startEmulator({ ...quiet(), amqpPort: emu.amqpPort }).catch((e: unknown) => e);
    expect((amqpErr as ListenError).listener).toBe('AMQP');
  });

  it('applies a config file with its own entities', async () => {
    const other = await startEmulator({
      ...quiet(),
      config: {
        UserConfig: {
          Namespaces: [
            {
              Name: 'n',
              Queues: [
                {
                  Name: 'orders',
                  Properties: { LockDuration: 'PT5M', MaxDeliveryCount: 10, DefaultMessageTimeToLive: 'P14D', DeadLetteringOnMessageExpiration: true, RequiresSession: true },
                },
              ],
            },
          ],
        },
      },
    });
    try {
      const q = other.broker.getQueue('orders').properties;
      expect(q).toMatchObject({ lockDurationMs: 300_000, maxDeliveryCount: 10, defaultMessageTimeToLiveMs: 14 * 86_400_000, deadLetteringOnMessageExpiration: true, requiresSession: true });
      expect(other.broker.listQueues()).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});

describe('emulators started together (needs the admin server)', () => {
  it('share one generated CA in a new TLS directory', async () => {
    const tlsDir = join(dir, 'shared-tls');
    const emus = await Promise.all([1, 2, 3].map(() => startEmulator({ ...quiet(), tlsDir })));
    try {
      const { readFileSync } = await import('node:fs');
      const { X509Certificate } = await import('node:crypto');
      const ca = new X509Certificate(readFileSync(join(tlsDir, 'ca.pem')));
      const cert = new X509Certificate(readFileSync(join(tlsDir, 'cert.pem')));
      expect(emus.every((e) => e.caPath === join(tlsDir, 'ca.pem'))).toBe(true);
      // The files on disk are one consistent set: the server certificate is signed by ca.pem.
      expect(cert.verify(ca.publicKey)).toBe(true);
    } finally {
      await Promise.all(emus.map((e) => e.close()));
    }
  });
});
