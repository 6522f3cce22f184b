/**
 * The WebSocket port (--ws-port, off by default; the Docker image puts it on 443): AMQP over
 * WebSockets on a port of its own, for clients that dial 443 and have no option for another
 * port. Like the admin port it answers TLS and plain connections alike (src/http/dualPort.ts):
 * every SDK dials wss://, except Python with UseDevelopmentEmulator=true, which dials ws://.
 * Anything but an upgrade on /$servicebus/websocket gets 426 there or 404 elsewhere.
 */
import type { Logger } from 'pino';
import type { TlsMaterial } from '../tls/certs.js';
import { listenHttpAndHttps } from './dualPort.js';
import type { UpgradeTarget } from './server.js';

export interface WebSocketPortOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls: TlsMaterial;
  logger: Logger;
  webSocket: UpgradeTarget;
}

export interface WebSocketPort {
  port: number;
  close(): Promise<void>;
}

export async function startWebSocketPort(options: WebSocketPortOptions): Promise<WebSocketPort> {
  const { webSocket, logger } = options;
  const server = await listenHttpAndHttps({
    host: options.host,
    port: options.port,
    tls: { keyPem: options.tls.keyPem, certPem: options.tls.certPem },
    logger,
    onRequest: (req, res) => {
      const ours = webSocket.handles(req);
      res.writeHead(ours ? 426 : 404, { 'content-type': 'text/plain', connection: 'close', ...(ours ? { upgrade: 'websocket' } : {}) });
      res.end(ours ? 'AMQP over WebSockets: upgrade this request to a WebSocket.\n' : 'This port serves only /$servicebus/websocket.\n');
    },
    // The gateway answers 404 for another path itself.
    onUpgrade: (req, socket, head) => webSocket.upgrade(req, socket, head),
  });
  logger.info({ host: options.host, port: server.port }, 'AMQP over WebSockets listening (wss and ws)');
  return {
    port: server.port,
    close: async () => {
      await server.close();
      logger.info({ port: server.port }, 'WebSocket port closed');
    },
  };
}
