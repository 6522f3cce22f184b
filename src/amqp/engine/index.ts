/**
 * The AMQP 1.0 engine: give it accepted sockets (or WebSocket streams), it runs each connection
 * and reports links to the handler. Nothing here knows Service Bus.
 */
import { Connection } from './connection.js';
import type { EngineOptions, Transport } from './types.js';

export class Engine {
  readonly connections = new Set<Connection>();

  constructor(readonly options: EngineOptions) {}

  accept(socket: Transport): Connection {
    const c = new Connection(socket, this.options);
    this.connections.add(c);
    socket.once('close', () => this.connections.delete(c));
    return c;
  }

  destroyAll(): void {
    for (const c of this.connections) c.destroy();
    this.connections.clear();
  }
}

export { Connection };
export { Described, Decoder, EncodingError, checkEncoding, scalarText } from './decoder.js';
export { Typed } from './encoder.js';
export { IncomingLink, Link, OutgoingLink } from './link.js';
export type { AmqpError, Terminus } from './performatives.js';
export type * from './types.js';
export * as outcomes from './outcomes.js';
