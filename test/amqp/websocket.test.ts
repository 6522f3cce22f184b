/**
 * AMQP over WebSockets at the protocol level: where upgrades are taken (admin port over HTTP and
 * HTTPS, the --ws-port listener), which subprotocols, and that a bad upgrade or bad frames end
 * only that connection while the engine's limits apply as on TCP. The SDKs' own WebSocket
 * transports are exercised in test/sdk/websocket.test.ts and test/compat.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import rhea from 'rhea';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServer } from 'node:http';
import pino from 'pino';
import { createWebSocketGateway } from '../../src/amqp/websocket.js';
import type { Transport } from '../../src/amqp/engine/index.js';
import { startEmulator, type Emulator } from '../../src/index.js';
import { uniqueName } from '../sdk/harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

let emulator: Emulator;
let ca: Buffer;
beforeAll(async () => {
  emulator = await startEmulator({
    host: '127.0.0.1',
    amqpPort: 0,
    amqpsPort: null,
    httpPort: 0,
    wsPort: 0,
    tlsDir: mkdtempSync(join(tmpdir(), 'sbemu-ws-')),
    logLevel: 'silent',
    amqpAuthTimeoutMs: 1_000,
  });
  ca = readFileSync(emulator.caPath);
});
afterAll(async () => {
  await emulator?.close();
});

const PATH = '/$servicebus/websocket';

const once = <T = any>(emitter: any, event: string, timeoutMs = 5000) =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (ctx: T) => {
      clearTimeout(t);
      resolve(ctx);
    });
  });

/** rhea over a WebSocket, logged in with SASL PLAIN (the policy's name and key). */
async function rheaOverWebSocket(url: string, protocols: string[] = ['AMQPWSB10']): Promise<any> {
  const container = rhea.create_container();
  const ws = container.websocket_connect(WebSocket as any);
  const connection: any = container.connect({
    connection_details: ws(url, protocols, { ca }),
    username: 'RootManageSharedAccessKey',
    password: 'SAS_KEY_VALUE',
    reconnect: false,
  } as any);
  await once(connection, 'connection_open');
  return connection;
}

async function sendAndReceive(connection: any, queue: string, body: string): Promise<string> {
  const sender = connection.open_sender({ target: { address: queue } });
  await once(sender, 'sendable');
  sender.send({ body });
  await once(sender, 'accepted');
  const receiver = connection.open_receiver({ source: { address: queue } });
  const got = await once(receiver, 'message');
  got.delivery.accept();
  return got.message.body as string;
}

/** The HTTP answer to a hand-written upgrade request (status line and headers). */
function rawUpgrade(port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** Writes `parts` one after another (a tick apart) and returns the whole answer once the server closes. */
function rawRequest(port: number, ...parts: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    void (async () => {
      for (const part of parts) {
        socket.write(part);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
  });
}

const upgradeLines = (path: string, extra: string[] = []) => [
  `GET ${path} HTTP/1.1`,
  'Host: localhost',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
  ...extra,
];

describe('where AMQP over WebSockets is served', () => {
  const cases = [
    ['the admin port, wss://', () => `wss://localhost:${emulator.httpPort}${PATH}`],
    ['the admin port, ws://', () => `ws://localhost:${emulator.httpPort}${PATH}`],
    ['the WebSocket port, wss://', () => `wss://localhost:${emulator.wsPort}${PATH}`],
    ['the WebSocket port, ws://', () => `ws://localhost:${emulator.wsPort}${PATH}`],
  ] as const;
  for (const [name, url] of cases) {
    it(`sends and receives on ${name}`, async () => {
      const queue = uniqueName('ws');
      emulator.broker.createQueue(queue);
      const connection = await rheaOverWebSocket(url());
      expect(await sendAndReceive(connection, queue, name)).toBe(name);
      connection.close();
      await once(connection, 'connection_close');
    });
  }

  it('keeps serving the admin routes next to it, upgrade requests included', async () => {
    const health = await fetch(`http://127.0.0.1:${emulator.httpPort}/health`);
    expect(health.status).toBe(200);
    // curl --http2 on plain http asks to upgrade to h2c: answered as the request it also is.
    const h2c = await rawUpgrade(emulator.httpPort, ['GET /health HTTP/1.1', 'Host: localhost', 'Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA']);
    expect(h2c).toMatch(/^HTTP\/1\.1 200/);
    // A WebSocket upgrade to another path reaches the admin routes too (which want a token).
    const other = await rawUpgrade(emulator.httpPort, upgradeLines('/queue.1'));
    expect(other).toMatch(/^HTTP\/1\.1 401/);
  });

  it('serves an h2c upgrade request with a body, as Java\'s default HttpClient sends every plain-http POST', async () => {
    const queue = uniqueName('h2c');
    emulator.broker.createQueue(queue);
    const json = JSON.stringify({ body: 'over h2c', messageId: 'h2c-1' });
    const lines = (length: number) => [
      `POST /emulator/entities/${queue}/messages HTTP/1.1`,
      'Host: localhost',
      'Connection: Upgrade, HTTP2-Settings',
      'Upgrade: h2c',
      'HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA',
      `Authorization: Basic ${Buffer.from('RootManageSharedAccessKey:SAS_KEY_VALUE').toString('base64')}`,
      'Content-Type: application/json',
      `Content-Length: ${length}`,
    ];
    // The body with the headers, and the body arriving after them in two parts.
    const together = await rawRequest(emulator.httpPort, `${lines(Buffer.byteLength(json)).join('\r\n')}\r\n\r\n${json}`);
    expect(together).toMatch(/^HTTP\/1\.1 201/);
    const split = await rawRequest(emulator.httpPort, `${lines(Buffer.byteLength(json)).join('\r\n')}\r\n\r\n`, json.slice(0, 5), json.slice(5));
    expect(split).toMatch(/^HTTP\/1\.1 201/);
    expect(emulator.inspect.messages(queue).map((m) => m.messageId)).toEqual(['h2c-1', 'h2c-1']);
    // No length, or a hostile one, is refused before anything is read.
    expect(await rawRequest(emulator.httpPort, `${lines(0).slice(0, -1).join('\r\n')}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect(await rawRequest(emulator.httpPort, `${lines(50_000_000).join('\r\n')}\r\n\r\n{`)).toMatch(/^HTTP\/1\.1 413/);
  });

  it.each(['https://localhost/$servicebus/websocket', '/%24servicebus/websocket', `${PATH}/?x=1`])('takes the upgrade for %s too (Java sends the absolute form)', async (target) => {
    for (const port of [emulator.httpPort, emulator.wsPort!]) {
      expect(await rawUpgrade(port, upgradeLines(target, ['Sec-WebSocket-Protocol: AMQPWSB10']))).toMatch(/^HTTP\/1\.1 101[^]*Sec-WebSocket-Protocol: AMQPWSB10/i);
    }
  });

  it('the WebSocket port answers 426 to a plain request and 404 to another path', async () => {
    expect((await fetch(`http://127.0.0.1:${emulator.wsPort}${PATH}`)).status).toBe(426);
    expect((await fetch(`http://127.0.0.1:${emulator.wsPort}/health`)).status).toBe(404);
    expect(await rawUpgrade(emulator.wsPort!, upgradeLines('/other'))).toMatch(/^HTTP\/1\.1 404/);
  });
});

describe('subprotocols', () => {
  it.each([
    [['AMQPWSB10'], 'AMQPWSB10'],
    [['amqp'], 'amqp'],
    [['amqp', 'AMQPWSB10'], 'AMQPWSB10'],
    [[], ''],
  ])('offered %j, answers %j', async (offered, chosen) => {
    const ws = new WebSocket(`ws://127.0.0.1:${emulator.httpPort}${PATH}`, offered);
    await once(ws, 'open');
    expect(ws.protocol).toBe(chosen);
    ws.close();
  });

  it('refuses a WebSocket that offers only other subprotocols with 400', async () => {
    const answer = await rawUpgrade(emulator.httpPort, upgradeLines(PATH, ['Sec-WebSocket-Protocol: mqtt']));
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });

  it('refuses a malformed handshake with 400', async () => {
    const answer = await rawUpgrade(emulator.httpPort, upgradeLines(PATH).filter((l) => !l.startsWith('Sec-WebSocket-Key')));
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe('limits and bad input end only that connection', () => {
  it('closes a WebSocket connection that does not authenticate in time, as on TCP', async () => {
    // No SASL PLAIN and no put-token: the 20 s rule (1 s here) of every AMQP connection.
    const container = rhea.create_container();
    const ws = container.websocket_connect(WebSocket as any);
    const connection: any = container.connect({ connection_details: ws(`ws://localhost:${emulator.httpPort}${PATH}`, ['AMQPWSB10'], {}), reconnect: false } as any);
    await once(connection, 'connection_open');
    const closed = await once(connection, 'connection_close', 5000);
    expect(closed.connection.error?.condition).toBe('amqp:unauthorized-access');
  });

  it('a text frame, garbage frames or garbage AMQP close that WebSocket; another one keeps working', async () => {
    const queue = uniqueName('ws-bad');
    emulator.broker.createQueue(queue);
    const good = await rheaOverWebSocket(`ws://localhost:${emulator.httpPort}${PATH}`);

    const text = new WebSocket(`ws://127.0.0.1:${emulator.httpPort}${PATH}`, ['AMQPWSB10']);
    await once(text, 'open');
    text.send('AMQP in a text frame');
    expect(await once(text, 'close')).toBe(1003);

    const amqpGarbage = new WebSocket(`ws://127.0.0.1:${emulator.httpPort}${PATH}`, ['AMQPWSB10']);
    await once(amqpGarbage, 'open');
    amqpGarbage.send(Buffer.from('HTTP/1.1 not amqp at all'));
    await once(amqpGarbage, 'close');

    // An unmasked client frame breaks RFC 6455 (section 5.1): ws closes with 1002.
    const raw = net.connect(emulator.httpPort, '127.0.0.1');
    raw.on('error', () => {});
    raw.write(`${upgradeLines(PATH).join('\r\n')}\r\n\r\n`);
    await once(raw, 'data');
    raw.write(Buffer.from([0x82, 0x03, 1, 2, 3]));
    await once(raw, 'close');

    expect(await sendAndReceive(good, queue, 'still here')).toBe('still here');
    good.close();
    await once(good, 'connection_close');
  });

  it('closes a WebSocket whose message is larger than maxPayload (1009), before the engine sees it', async () => {
    const streams: Transport[] = [];
    const gateway = createWebSocketGateway({ accept: (s) => streams.push(s), logger: pino({ level: 'silent' }), maxPayload: 1024 });
    const server = createServer().on('upgrade', (req, socket, head) => gateway.upgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}${PATH}`, ['AMQPWSB10']);
    await once(ws, 'open');
    const data: Buffer[] = [];
    streams[0]!.on('data', (d: Buffer) => data.push(d));
    streams[0]!.on('error', () => {});
    ws.send(Buffer.alloc(2048));
    expect(await once(ws, 'close')).toBe(1009);
    expect(data).toEqual([]);
    gateway.close();
    server.close();
  });

  it('drops open WebSocket connections when the emulator closes', async () => {
    const other = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, wsPort: 0, tlsDir: emulator.tlsDir, logLevel: 'silent' });
    const connection = await rheaOverWebSocket(`ws://localhost:${other.wsPort}${PATH}`);
    const gone = once(connection, 'disconnected');
    await other.close();
    await gone;
  });
});
