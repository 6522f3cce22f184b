/**
 * AMQP over WebSockets: the HTTP upgrade on `/$servicebus/websocket`, Azure's path, turned into a
 * byte stream that the same AMQP engine as the TCP listeners runs (src/amqp/listener.ts,
 * acceptStream). Every SDK can carry AMQP this way for networks that let only HTTPS through.
 *
 * The WebSocket protocol itself (handshake, framing, masking, fragments, ping/pong, close) is the
 * `ws` package's: it is the WebSocket implementation most of the Node ecosystem runs (and the one
 * the JS SDK's docs tell users to pass in), and a hand-written one would be a new place for the
 * bugs that package fixed years ago. This file only decides who may upgrade and how the stream
 * reaches the engine.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { Transport } from './engine/index.js';

/** Where Azure Service Bus serves AMQP over WebSockets, and where every SDK dials. */
export const WEBSOCKET_PATH = '/$servicebus/websocket';

/**
 * Subprotocols accepted, preferred first. AMQPWSB10 is the OASIS AMQP WebSocket binding's name,
 * sent by the JS (core-amqp), Python (pyamqp) and Java (azure-core-amqp) SDKs; Go leaves the dial
 * to the user, and azservicebus's own example and live test dial with 'amqp'.
 */
export const SUBPROTOCOLS = ['AMQPWSB10', 'amqp'] as const;

export interface WebSocketGatewayOptions {
  /** Runs one AMQP connection over the stream (the engine behind the TCP listeners). */
  accept: (stream: Transport) => void;
  logger: Logger;
  /**
   * The largest WebSocket message taken in, in bytes: ws buffers a message whole before the
   * engine sees it, so this bounds what one connection holds (the engine's own memory budget).
   */
  maxPayload: number;
}

export interface WebSocketGateway {
  /** Whether the request targets AMQP over WebSockets (its path, whatever the query). */
  handles(req: IncomingMessage): boolean;
  /** Completes or refuses the upgrade; a refusal answers and closes only that socket. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Refuses upgrades from now on (503); open connections belong to the engine. */
  close(): void;
}

export function createWebSocketGateway(options: WebSocketGatewayOptions): WebSocketGateway {
  const log = options.logger;
  let closed = false;
  const wss = new WebSocketServer({
    noServer: true,
    // AMQP frames are mostly small and already dense; compression would cost CPU on both sides.
    perMessageDeflate: false,
    maxPayload: options.maxPayload,
    clientTracking: false,
    handleProtocols: (offered) => pickSubprotocol(offered) ?? false,
  });
  // A malformed handshake (bad key, version, header): ws answers 400 and closes that socket only.
  wss.on('wsClientError', (err, socket) => {
    log.debug({ err: err.message }, 'WebSocket handshake refused');
    refuse(socket, 400, err.message);
  });

  const onConnection = (ws: WebSocket): void => {
    // createWebSocketStream would pass a text frame on as bytes; AMQP travels in binary frames
    // only, so a text frame ends that connection (1003: unsupported data) before the engine
    // reads it. Registered first, so it runs before the stream's own listener.
    let stream: Duplex | undefined;
    ws.on('message', (_data, isBinary) => {
      if (isBinary) return;
      log.info('WebSocket text frame: AMQP over WebSockets uses binary frames; closing the connection');
      ws.close(1003, 'AMQP over WebSockets uses binary frames');
      stream?.destroy();
    });
    stream = createWebSocketStream(ws);
    // Errors of the WebSocket layer (bad frames, a payload over maxPayload) arrive on the stream
    // and end that connection only; the engine logs them with the connection's id.
    options.accept(stream as Transport);
  };

  return {
    handles: (req) => isWebSocketPath(req.url),
    upgrade(req, socket, head) {
      if (closed) return refuse(socket, 503, 'The emulator is shutting down.');
      if (!isWebSocketPath(req.url)) return refuse(socket, 404, `AMQP over WebSockets is served on ${WEBSOCKET_PATH}.`);
      const offered = req.headers['sec-websocket-protocol'];
      if (offered !== undefined && pickSubprotocol(parseList(offered)) === undefined) {
        return refuse(socket, 400, `Unsupported WebSocket subprotocol '${offered}'; use ${SUBPROTOCOLS.join(' or ')}.`);
      }
      wss.handleUpgrade(req, socket, head, onConnection);
    },
    close() {
      closed = true;
      wss.close();
    },
  };
}

/** The first subprotocol of ours the client offered, in the client's spelling. */
function pickSubprotocol(offered: Iterable<string>): string | undefined {
  const list = [...offered];
  for (const want of SUBPROTOCOLS) {
    const hit = list.find((p) => p.toLowerCase() === want.toLowerCase());
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function parseList(header: string): string[] {
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/**
 * `/$servicebus/websocket` with or without a trailing slash or query; `%24` for `$` too; and in
 * absolute form (`https://host/$servicebus/websocket`), which HTTP/1.1 servers must accept and
 * Java's proton-j WebSocket layer sends.
 */
export function isWebSocketPath(url: string | undefined): boolean {
  if (url === undefined) return false;
  const target = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '') : url;
  const path = target.split('?')[0]!.replace(/\/+$/, '');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  return decoded.toLowerCase() === WEBSOCKET_PATH;
}

/** Answers an upgrade that will not happen, then closes that socket. */
function refuse(socket: Duplex, code: number, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
