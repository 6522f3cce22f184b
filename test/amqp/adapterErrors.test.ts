/**
 * An exception in adapter code that no frame started (the delivery pump the broker schedules, a
 * link's cleanup when its socket drops) must fail only that link or connection, logged with both:
 * never reach the process as an uncaughtException that ends every client's connection.
 *
 * The broker handed to the listeners is the real one, except that receivers on the queue
 * 'poison' throw on close() (and on receive() once `poisonReceive` is set): the adapter's own
 * cleanup then throws from inside its callbacks, as an adapter bug would.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import rhea from 'rhea';
import { Broker } from '../../src/broker/index.js';
import type { BrokerApi, Receiver } from '../../src/broker/api.js';
import { defaultAuthConfig } from '../../src/auth/types.js';
import { startAmqpListeners, type AmqpListeners } from '../../src/amqp/listener.js';
import { systemClock } from '../../src/server/clock.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const logLines: any[] = [];
let poisonReceive = false;
let listeners: AmqpListeners;
const broker = new Broker({ clock: systemClock });

const bug = () => {
  throw new TypeError('adapter bug');
};

function poisoned(real: Broker): BrokerApi {
  return new Proxy(real, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== 'openReceiver') return typeof value === 'function' ? value.bind(target) : value;
      return (path: string, options: any): Receiver => {
        const receiver = target.openReceiver(path, options);
        if (path !== 'poison') return receiver;
        return new Proxy(receiver, {
          get(r, k) {
            if (k === 'close' || (k === 'receive' && poisonReceive)) return bug;
            const v = Reflect.get(r, k, r);
            return typeof v === 'function' ? v.bind(r) : v;
          },
        });
      };
    },
  }) as unknown as BrokerApi;
}

const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  broker.createQueue('poison');
  const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  listeners = await startAmqpListeners({ broker: poisoned(broker), host: '127.0.0.1', amqpPort: 0, amqpsPort: null, auth: defaultAuthConfig(), logger });
});
afterAll(async () => {
  await listeners?.close();
  process.off('uncaughtException', onUncaught);
});
afterEach(() => {
  poisonReceive = false;
  logLines.length = 0;
});

const once = <T = any>(emitter: any, event: string, timeoutMs = 5000) =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (ctx: T) => {
      clearTimeout(t);
      resolve(ctx);
    });
  });

async function connect(): Promise<any> {
  const connection: any = rhea.create_container().connect({
    host: '127.0.0.1',
    port: listeners.amqpPort,
    username: 'RootManageSharedAccessKey',
    password: 'SAS_KEY_VALUE',
    reconnect: false,
  } as any);
  // A connection the emulator closes with an error fails the test below, not the client process.
  connection.on('error', () => undefined);
  await once(connection, 'connection_open');
  return connection;
}

/** Another client still sends and receives on the same emulator. */
let served = 0;
async function stillServes(): Promise<void> {
  const queue = `good-${++served}`;
  broker.createQueue(queue);
  const connection = await connect();
  const sender = connection.open_sender({ target: { address: queue } });
  await once(sender, 'sendable');
  sender.send({ body: 'still here' });
  await once(sender, 'accepted');
  const receiver = connection.open_receiver({ source: { address: queue }, autoaccept: true });
  const got = await once(receiver, 'message');
  expect(got.message.body).toBe('still here');
  connection.close();
  await once(connection, 'connection_close');
}

const errorsLogged = () => logLines.filter((l) => l.level >= 50);

describe('an adapter callback that throws', () => {
  it('in the delivery pump the broker scheduled: that link is detached with amqp:internal-error, logged with its connection and link', async () => {
    poisonReceive = true;
    const connection = await connect();
    const receiver = connection.open_receiver({ source: { address: 'poison' }, name: 'poisoned-link' });
    const detached = await once(receiver, 'receiver_close');
    expect(detached.receiver.error?.condition).toBe('amqp:internal-error');
    // The connection itself is still good: its other links work.
    broker.createQueue('same-connection');
    const sender = connection.open_sender({ target: { address: 'same-connection' } });
    await once(sender, 'sendable');
    sender.send({ body: 'on the same connection' });
    await once(sender, 'accepted');
    connection.close();
    await stillServes();
    const failure = errorsLogged().find((l) => /the link is detached/.test(l.msg));
    expect(failure).toMatchObject({ link: 'poisoned-link', address: 'poison', err: { message: 'adapter bug' } });
    expect(failure.connection).toMatch(/^c\d+$/);
    expect(uncaught).toEqual([]);
  });

  it('while a dropped connection releases its links: logged, and the others are still served', async () => {
    const connection = await connect();
    const receiver = connection.open_receiver({ source: { address: 'poison' }, name: 'dropped-link' });
    await once(receiver, 'receiver_open');
    connection.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    await stillServes();
    const failure = errorsLogged().find((l) => l.link === 'dropped-link');
    expect(failure).toMatchObject({ err: { message: 'adapter bug' } });
    expect(failure.connection).toMatch(/^c\d+$/);
    expect(uncaught).toEqual([]);
  });
});
