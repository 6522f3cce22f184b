/**
 * HTTP and HTTPS on ONE TCP port: each connection's first byte decides. 0x16 (a TLS handshake
 * record, i.e. a ClientHello) goes to an https.Server with the emulator's certificate, anything
 * else to an http.Server. Neither of those listens; a net.Server accepts, peeks at the first
 * chunk, puts it back (`unshift`) and hands the socket over with `emit('connection')`.
 *
 * The admin port is one (src/http/server.ts); the WebSocket port is another
 * (src/http/websocketPort.ts): clients that use wss:// and clients that use ws:// both find it.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { ERROR_CONTENT_TYPE, errorXml } from './errorBody.js';

export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface DualPortOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls: { keyPem: string; certPem: string };
  logger: Logger;
  onRequest: http.RequestListener;
  /** HTTP upgrades (WebSockets) on either side; without it Node serves them as plain requests. */
  onUpgrade?: UpgradeListener;
}

export interface DualPort {
  port: number;
  /** Stops listening and drops every connection still open. */
  close(): Promise<void>;
}

/**
 * What Node's HTTP parser refuses before any route sees it (headers or URL over the size limit,
 * an unknown method, broken framing) still gets the Service Bus error body.
 */
export function clientErrorResponse(code: string | undefined): string {
  const [status, reason, detail] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'The request line and headers are larger than the server accepts.']
      : code === 'HPE_INVALID_METHOD'
        ? [400, 'Bad Request', 'The request method is not one the admin API knows.']
        : [400, 'Bad Request', 'The request is not valid HTTP/1.1.'];
  const body = errorXml(status, detail);
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${ERROR_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** First byte of a TLS record carrying a handshake message (ContentType.handshake). */
const TLS_HANDSHAKE = 0x16;
/** A connection that sends nothing for this long is dropped before it is classified. */
const FIRST_BYTE_TIMEOUT_MS = 30_000;

export async function listenHttpAndHttps(options: DualPortOptions): Promise<DualPort> {
  const log = options.logger;
  const httpServer = http.createServer(options.onRequest);
  const httpsServer = https.createServer({ key: options.tls.keyPem, cert: options.tls.certPem, ALPNProtocols: ['http/1.1'] }, options.onRequest);
  httpsServer.on('tlsClientError', (err) => log.debug({ err }, 'TLS handshake failed'));
  for (const s of [httpServer, httpsServer]) {
    s.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      log.debug({ err }, 'bad HTTP request');
      if (socket.writable) socket.end(clientErrorResponse(err.code));
      else socket.destroy();
    });
    if (options.onUpgrade) s.on('upgrade', options.onUpgrade);
  }

  const sockets = new Set<net.Socket>();
  const listener = net.createServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Resets and the like, before and after the hand-over: never an unhandled 'error'.
    socket.on('error', (err) => log.debug({ err }, 'connection error'));
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === TLS_HANDSHAKE) {
        // TLSSocket reads what was unshifted from the socket's buffer, then takes over its handle.
        httpsServer.emit('connection', socket);
      } else {
        httpServer.emit('connection', socket);
        // The unshifted request bytes flow to the HTTP parser as a 'data' event.
        process.nextTick(() => socket.resume());
      }
    });
    socket.resume();
  });

  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ host: options.host, port: options.port }, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  listener.on('error', (err) => log.error({ err }, 'listener error'));

  return {
    port: (listener.address() as AddressInfo).port,
    close: async () => {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
