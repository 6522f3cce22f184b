/**
 * Upgrade requests served as plain requests (src/http/upgradeAsRequest.ts), on a bare node server:
 * the body reaches the handler whole however it arrives, and a client that stops sending it is
 * cut off instead of holding the socket.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { serveUpgradeAsRequest } from '../../src/http/upgradeAsRequest.js';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A server that echoes the request body, with the given body timeout for upgraded requests. */
async function echoServer(bodyTimeoutMs: number): Promise<{ port: number; aborted: Promise<void> }> {
  let markAborted!: () => void;
  const aborted = new Promise<void>((r) => (markAborted = r));
  const handler: http.RequestListener = (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => res.end(Buffer.concat(parts)));
    req.on('error', () => markAborted());
    req.on('close', () => {
      if (!req.complete) markAborted();
    });
  };
  server = http.createServer(handler);
  server.on('upgrade', (req, socket, head) => serveUpgradeAsRequest(req, socket, head, handler, bodyTimeoutMs));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, aborted };
}

function send(port: number, head: string, ...later: string[]): { socket: net.Socket; answer: Promise<string> } {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d) => (text += d.toString('latin1')));
  const answer = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.on('error', () => undefined);
  socket.write(head);
  void (async () => {
    for (const part of later) {
      await new Promise((r) => setTimeout(r, 10));
      socket.write(part);
    }
  })();
  return { socket, answer };
}

const headers = (length: number) => `POST /x HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: ${length}\r\n\r\n`;

it('hands the handler the whole body, from the head and from the socket, and nothing past its length', async () => {
  const { port } = await echoServer(60_000);
  const { answer } = send(port, `${headers(11)}hel`, 'lo ', 'world', 'EXTRA');
  const text = await answer;
  expect(text).toMatch(/^HTTP\/1\.1 200/);
  expect(text.endsWith('\r\n\r\nhello world')).toBe(true);
});

it('closes the socket of a client that stops sending its body', async () => {
  const { port, aborted } = await echoServer(50);
  const { answer } = send(port, `${headers(100)}only this`);
  expect(await answer).toBe('');
  await aborted;
});
