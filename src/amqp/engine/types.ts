/**
 * What the engine tells its user (src/amqp's listener) and what the user answers with. The
 * engine owns connections, sessions, links, windows, credit and settlement bookkeeping; the user
 * decides what a link is for and what each message means.
 */
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { AmqpError, Terminus } from './performatives.js';
import type { Described } from './decoder.js';
import type { Connection } from './connection.js';
import type { IncomingLink, OutgoingLink, Link } from './link.js';

export interface RemoteAttach {
  name: string;
  handle: number;
  /** The client's role: 'receiver' means the engine sends on this link. */
  role: 'sender' | 'receiver';
  sndSettleMode: number;
  rcvSettleMode: number;
  source?: Terminus;
  target?: Terminus;
  /** The raw value of each filter, keyed by filter name (for echoing in the client's encoding). */
  filterRaw?: Record<string, unknown>;
  initialDeliveryCount?: number;
  maxMessageSize?: number;
  properties: Record<string, unknown>;
}

export interface AttachReply {
  source: Terminus | null;
  target: Terminus | null;
  sndSettleMode?: number;
  rcvSettleMode?: number;
  maxMessageSize?: number | null;
  properties?: Record<string, unknown>;
}

export interface IncomingDelivery {
  id: number;
  tag: Buffer;
  format: number;
  /** The client sent it settled: no disposition may follow. */
  remoteSettled: boolean;
  payload: Buffer;
  /** The transfer's delivery state, when the client sent one (a transactional-state, in practice). */
  state?: DeliveryState;
}

export interface OutgoingDelivery {
  id: number;
  tag: Buffer;
  link: OutgoingLink;
  settled: boolean;
}

/** A decoded delivery state or outcome from a disposition. */
export interface DeliveryState {
  code: number;
  fields: unknown[];
}

export interface LinkEvents {
  /** Credit arrived, the session window or the socket opened up: send what there is. */
  onCredit?(): void;
  /** A complete message arrived on a link the engine receives on. */
  onMessage?(delivery: IncomingDelivery): void;
  /** The client settled or gave an outcome for a delivery the engine sent. */
  onDisposition?(delivery: OutgoingDelivery, state: DeliveryState | undefined, remoteSettled: boolean): void;
  /** The link is gone (client detach, session end, connection loss). Called once. */
  onDetach?(error?: AmqpError): void;
}

export interface EngineHandler {
  /** A client attached a link: answer with link.accept(), link.refuse(), or hold and answer later. */
  onAttach(link: Link, connection: Connection): void;
  onConnectionOpen?(connection: Connection): void;
  onConnectionClosed?(connection: Connection): void;
}

export interface SaslPolicy {
  mechanisms: readonly string[];
  /** PLAIN credentials: true lets the connection in. */
  plain?(user: string, password: string, connection: Connection): boolean;
}

/**
 * What a connection runs over: a TCP or TLS socket, or any byte stream such as a WebSocket
 * wrapped as a duplex (AMQP over WebSockets). The engine reads 'data', writes, watches
 * writableLength and 'drain' for back-pressure, and ends or destroys it. Sockets have the two
 * optional members; other streams may lack them, so the engine never relies on them.
 */
export type Transport = Duplex & {
  setNoDelay?(noDelay?: boolean): unknown;
  /** Bytes handed to the network so far (sockets only; tests read it). */
  readonly bytesWritten?: number;
};

export interface EngineOptions {
  containerId: string;
  maxFrameSize: number;
  channelMax: number;
  handleMax: number;
  /** The idle-time-out announced in open; a silent peer is closed after twice this. */
  idleTimeOutMs: number;
  /** Bytes a connection may hold in partial deliveries before it is closed. */
  memoryBudget: number;
  /** Outgoing socket bytes above which links stop sending until the socket drains. */
  highWaterMark: number;
  sasl: SaslPolicy;
  logger: Logger;
  handler: EngineHandler;
}

export type { Described, Link, IncomingLink, OutgoingLink };
