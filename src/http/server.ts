/**
 * The admin port: HTTP and HTTPS on ONE TCP port, both served by the same fastify app.
 *
 * `@azure/service-bus` 7.9.5's admin client always speaks https to the endpoint's port, while
 * newer clients, curl and health checks speak plain http to the same port (Microsoft's emulator
 * uses 5300). So each connection's first byte decides: 0x16 (a TLS handshake record, i.e. a
 * ClientHello) goes to an https.Server with the emulator's certificate, anything else to an
 * http.Server. Neither of those listens; a net.Server accepts, peeks at the first chunk, puts it
 * back (`unshift`) and hands the socket over with `emit('connection')`. Both servers call the
 * app through `app.routing`, fastify's own request entry point.
 */
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AuthConfig } from '../auth/types.js';
import type { BrokerApi } from '../broker/api.js';
import type { TlsMaterial } from '../tls/certs.js';
import { buildAdminApp } from './app.js';

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

/** First byte of a TLS record carrying a handshake message (ContentType.handshake). */
const TLS_HANDSHAKE = 0x16;
/** A connection that sends nothing for this long is dropped before it is classified. */
const FIRST_BYTE_TIMEOUT_MS = 30_000;

export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const log = options.logger;
  const app = buildAdminApp({
    broker: options.broker,
    auth: options.auth,
    logger: options.logger,
    isReady: options.isReady,
    tls: options.tls,
  });
  await app.ready();

  const handler: http.RequestListener = (req, res) => app.routing(req, res);
  const httpServer = http.createServer(handler);
  const httpsServer = https.createServer({ key: options.tls.keyPem, cert: options.tls.certPem, ALPNProtocols: ['http/1.1'] }, handler);
  httpsServer.on('tlsClientError', (err) => log.debug({ err }, 'TLS handshake failed'));
  for (const s of [httpServer, httpsServer]) {
    s.on('clientError', (err, socket) => {
      log.debug({ err }, 'bad HTTP request');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  const sockets = new Set<net.Socket>();
  const listener = net.createServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Resets and the like, before and after the hand-over: never an unhandled 'error'.
    socket.on('error', (err) => log.debug({ err }, 'admin connection error'));
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
  listener.on('error', (err) => log.error({ err }, 'admin listener error'));
  const port = (listener.address() as AddressInfo).port;
  log.info({ host: options.host, port }, 'admin API listening (HTTP and HTTPS)');

  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
        for (const s of sockets) s.destroy();
        await closed;
        await app.close();
        log.info({ port }, 'admin API closed');
      })();
      return closing;
    },
  };
}
