/**
 * A session (AMQP 1.0 section 2.5.5): the transfer windows of both directions, the handle space
 * of its links, delivery ids and the unsettled deliveries the engine sent. Dispositions from the
 * client are bounded by what is actually unsettled, never by the range the client announces.
 */
import type { Connection } from './connection.js';
import type { Encoder } from './encoder.js';
import * as W from './frameWriter.js';
import { IncomingLink, Link, OutgoingLink } from './link.js';
import {
  boolField, bufferField, errorOf, requiredUint, stateOf, stringField, terminusOf, uintField,
  type AmqpError, type Performative,
} from './performatives.js';
import { Described } from './decoder.js';
import { add, distance, inRange, rangeSize } from './serial.js';
import type { IncomingDelivery, OutgoingDelivery, RemoteAttach } from './types.js';

/** Transfers the client may send beyond what it has been told; topped up at half. */
export const INCOMING_WINDOW = 5000;
/** What the engine announces as its outgoing window (Azure's figure). */
export const OUTGOING_WINDOW = 5000;

export class SessionError extends Error {
  constructor(readonly condition: string, message: string) {
    super(message);
  }
}

interface PendingSend {
  delivery: OutgoingDelivery;
  payload: W.Payload;
  size: number;
  offset: number;
}

export class Session {
  private readonly links = new Map<number, Link>();

  /** The links attached on this session (for users that care which links share a session). */
  attachedLinks(): IterableIterator<Link> {
    return this.links.values();
  }
  private readonly names = new Map<string, Link>();
  private readonly unsettled = new Map<number, OutgoingDelivery>();
  // Incoming transfer window.
  private nextIncomingId = 0;
  private incomingLimit = 0;
  // Outgoing transfer window.
  private nextOutgoingId = 0;
  private remoteIncomingLimit = 0;
  private nextDeliveryId = 0;
  /** Deliveries whose frames did not all fit the peer's window. */
  private readonly backlog: PendingSend[] = [];
  /** Our settled outcomes for the client's transfers, merged into ranges before writing. */
  private pendingDisposition?: { first: number; last: number; state: Buffer | null };
  ended = false;

  constructor(
    readonly connection: Connection,
    readonly channel: number,
    begin: Performative,
  ) {
    this.nextIncomingId = requiredUint(begin, 1, 'begin', 'next-outgoing-id');
    this.incomingLimit = add(this.nextIncomingId, INCOMING_WINDOW);
    const remoteIncoming = requiredUint(begin, 2, 'begin', 'incoming-window');
    this.remoteIncomingLimit = add(this.nextOutgoingId, remoteIncoming);
    W.begin(this.out, channel, {
      remoteChannel: channel,
      nextOutgoingId: this.nextOutgoingId,
      incomingWindow: INCOMING_WINDOW,
      outgoingWindow: OUTGOING_WINDOW,
      handleMax: connection.options.handleMax,
    });
  }

  private get out(): Encoder {
    return this.connection.out;
  }

  // ---- from the client ---------------------------------------------------------------------

  onAttach(p: Performative): void {
    const name = stringField(p, 0, 'attach', 'name');
    const handle = requiredUint(p, 1, 'attach', 'handle');
    if (name === undefined) throw new SessionError('amqp:decode-error', 'attach: mandatory field name is missing');
    if (handle > this.connection.options.handleMax) {
      throw this.connection.framingError(`attach: handle ${handle} exceeds handle-max ${this.connection.options.handleMax}`);
    }
    if (this.links.has(handle)) throw new SessionError('amqp:session:handle-in-use', `handle ${handle} is already in use`);
    const role = boolField(p, 2) ? 'receiver' : 'sender';
    const source = terminusOf(p.fields[5]);
    const target = terminusOf(p.fields[6]);
    const props = p.fields[13];
    const remote: RemoteAttach = {
      name,
      handle,
      role,
      sndSettleMode: uintField(p, 3, 'attach', 'snd-settle-mode') ?? 2,
      rcvSettleMode: uintField(p, 4, 'attach', 'rcv-settle-mode') ?? 0,
      source,
      target,
      filterRaw: source?.filter,
      initialDeliveryCount: uintField(p, 9, 'attach', 'initial-delivery-count'),
      maxMessageSize: typeof p.fields[10] === 'number' ? (p.fields[10] as number) : undefined,
      properties: props && typeof props === 'object' && !Array.isArray(props) && !Buffer.isBuffer(props) && !(props instanceof Described) ? (props as Record<string, unknown>) : {},
    };
    // Link names are unique per direction: a sender and a receiver may share one.
    const key = `${role}:${name}`;
    const link = role === 'receiver' ? new OutgoingLink(this, remote) : new IncomingLink(this, remote);
    const stolen = this.names.get(key);
    this.links.set(handle, link);
    this.names.set(key, link);
    stolen?.detach({ condition: 'amqp:link:stolen', description: `A new link named '${name}' was attached.` });
    this.connection.options.handler.onAttach(link, this.connection);
  }

  onFlow(p: Performative): void {
    const nextIncoming = uintField(p, 0, 'flow', 'next-incoming-id');
    const incomingWindow = requiredUint(p, 1, 'flow', 'incoming-window');
    const wasBlocked = !this.canTransfer();
    // Before the client has seen our begin it may send null: count from our initial id.
    this.remoteIncomingLimit = add(nextIncoming ?? 0, incomingWindow);
    const handle = uintField(p, 4, 'flow', 'handle');
    const echo = boolField(p, 9);
    if (handle !== undefined) {
      const link = this.linkFor(handle);
      const deliveryCount = uintField(p, 5, 'flow', 'delivery-count');
      if (link instanceof OutgoingLink) link.onFlow(deliveryCount, uintField(p, 6, 'flow', 'link-credit') ?? 0, boolField(p, 8), echo);
      else if (link instanceof IncomingLink) link.onFlow(deliveryCount, echo);
    } else if (echo) this.writeSessionFlow();
    if (wasBlocked && this.canTransfer()) this.resume();
  }

  onTransfer(p: Performative, payload: Buffer): void {
    const handle = requiredUint(p, 0, 'transfer', 'handle');
    const link = this.linkFor(handle);
    if (distance(this.incomingLimit, this.nextIncomingId) <= 0) {
      throw new SessionError('amqp:session:window-violation', 'transfer beyond the incoming window');
    }
    this.nextIncomingId = add(this.nextIncomingId, 1);
    if (distance(this.incomingLimit, this.nextIncomingId) < INCOMING_WINDOW / 2) {
      this.incomingLimit = add(this.nextIncomingId, INCOMING_WINDOW);
      this.writeSessionFlow();
    }
    if (!(link instanceof IncomingLink)) throw new SessionError('amqp:session:unattached-handle', `handle ${handle} is not a link the client sends on`);
    if (link.state !== 'attached') return;
    const error = link.onTransfer(
      uintField(p, 1, 'transfer', 'delivery-id'),
      bufferField(p, 2),
      uintField(p, 3, 'transfer', 'message-format') ?? 0,
      boolField(p, 4),
      boolField(p, 5),
      boolField(p, 9),
      payload,
      p.fields[7] == null ? undefined : stateOf(p.fields[7]),
    );
    if (error) link.detach(error);
  }

  onDisposition(p: Performative): void {
    const fromReceiver = boolField(p, 0);
    // The client's own transfers were settled by us when they arrived: nothing to track.
    if (!fromReceiver) return;
    const first = requiredUint(p, 1, 'disposition', 'first');
    const last = uintField(p, 2, 'disposition', 'last') ?? first;
    const settled = boolField(p, 3);
    const state = stateOf(p.fields[4]);
    const span = rangeSize(first, last);
    if (span <= this.unsettled.size) {
      for (let i = 0, id = first; i < span; i++, id = add(id, 1)) {
        const d = this.unsettled.get(id);
        if (d) d.link.events.onDisposition?.(d, state, settled);
      }
      return;
    }
    // A range wider than what is unsettled: walk what is unsettled instead (a 32-byte frame
    // naming four billion ids costs no more than the deliveries that exist).
    for (const d of [...this.unsettled.values()]) {
      if (inRange(d.id, first, last)) d.link.events.onDisposition?.(d, state, settled);
    }
  }

  onDetach(p: Performative): void {
    const handle = requiredUint(p, 0, 'detach', 'handle');
    const link = this.links.get(handle);
    if (!link) throw new SessionError('amqp:session:unattached-handle', `detach: handle ${handle} is not attached`);
    link.onRemoteDetach(errorOf(p.fields[2]));
  }

  private linkFor(handle: number): Link {
    const link = this.links.get(handle);
    if (!link) throw new SessionError('amqp:session:unattached-handle', `handle ${handle} is not attached`);
    return link;
  }

  // ---- to the client -----------------------------------------------------------------------

  canTransfer(): boolean {
    return this.backlog.length === 0 && distance(this.remoteIncomingLimit, this.nextOutgoingId) > 0 && this.connection.writable();
  }

  writeAttach(link: Link, f: W.AttachFields): void {
    if (this.ended) return;
    W.attach(this.out, this.channel, f);
    this.connection.scheduleFlush();
  }

  writeDetach(link: Link, error: AmqpError | null): void {
    if (this.ended) return;
    this.flushDispositions();
    W.detach(this.out, this.channel, link.handle, true, error);
    this.connection.scheduleFlush();
  }

  writeLinkFlow(link: Link, f: { deliveryCount: number; linkCredit: number; available: number; drain: boolean }): void {
    if (this.ended) return;
    W.flow(this.out, this.channel, {
      nextIncomingId: this.nextIncomingId,
      incomingWindow: distance(this.incomingLimit, this.nextIncomingId),
      nextOutgoingId: this.nextOutgoingId,
      outgoingWindow: OUTGOING_WINDOW,
      handle: link.handle,
      ...f,
    });
    this.connection.scheduleFlush();
  }

  private writeSessionFlow(): void {
    W.flow(this.out, this.channel, {
      nextIncomingId: this.nextIncomingId,
      incomingWindow: distance(this.incomingLimit, this.nextIncomingId),
      nextOutgoingId: this.nextOutgoingId,
      outgoingWindow: OUTGOING_WINDOW,
    });
    this.connection.scheduleFlush();
  }

  /** Starts a delivery; frames beyond the peer's window wait in the backlog. */
  transfer(link: OutgoingLink, tag: Buffer, payload: W.Payload, settled: boolean): OutgoingDelivery {
    const delivery: OutgoingDelivery = { id: this.nextDeliveryId, tag, link, settled };
    this.nextDeliveryId = add(this.nextDeliveryId, 1);
    if (!settled) this.unsettled.set(delivery.id, delivery);
    const size = W.payloadLength(payload);
    // The usual case, one frame the window has room for: written now, without a backlog entry.
    if (this.backlog.length === 0 && distance(this.remoteIncomingLimit, this.nextOutgoingId) > 0 && size <= this.frameRoom(tag)) {
      W.transfer(this.out, this.channel, link.handle, delivery.id, tag, delivery.settled, false, payload, 0, size);
      this.nextOutgoingId = add(this.nextOutgoingId, 1);
      this.connection.scheduleFlush();
      return delivery;
    }
    this.backlog.push({ delivery, payload, size, offset: 0 });
    this.writeBacklog();
    return delivery;
  }

  /** Payload bytes one transfer frame can carry within the peer's max-frame-size. */
  private frameRoom(tag: Buffer): number {
    return Math.max(1, this.connection.peerMaxFrameSize - W.transferOverhead(tag.length));
  }

  private writeBacklog(): void {
    while (this.backlog.length > 0 && distance(this.remoteIncomingLimit, this.nextOutgoingId) > 0) {
      const pending = this.backlog[0]!;
      const d = pending.delivery;
      const end = Math.min(pending.size, pending.offset + this.frameRoom(d.tag));
      const more = end < pending.size;
      W.transfer(this.out, this.channel, d.link.handle, d.id, d.tag, d.settled, more, pending.payload, pending.offset, end);
      this.nextOutgoingId = add(this.nextOutgoingId, 1);
      pending.offset = end;
      if (!more) this.backlog.shift();
    }
    this.connection.scheduleFlush();
  }

  /** Our settlement of a delivery we sent: the slot is free from now on. */
  settleOutgoing(d: OutgoingDelivery, state: Buffer | null, tellPeer: boolean): void {
    this.unsettled.delete(d.id);
    if (tellPeer && !this.ended) {
      W.disposition(this.out, this.channel, false, d.id, d.id, true, state);
      this.connection.scheduleFlush();
    }
  }

  forgetOutgoing(d: OutgoingDelivery): void {
    this.unsettled.delete(d.id);
  }

  /** Our outcome for a client's transfer; consecutive ids with the same outcome share a frame. */
  settleIncoming(id: number, outcome: Buffer | AmqpError): void {
    if (this.ended) return;
    const state = Buffer.isBuffer(outcome) ? outcome : this.connection.rejectedState(outcome);
    const p = this.pendingDisposition;
    if (p && p.state === state && id === add(p.last, 1)) {
      p.last = id;
      return;
    }
    this.flushDispositions();
    this.pendingDisposition = { first: id, last: id, state };
    this.connection.scheduleFlush();
  }

  flushDispositions(): void {
    const p = this.pendingDisposition;
    if (!p) return;
    this.pendingDisposition = undefined;
    W.disposition(this.out, this.channel, true, p.first, p.last, true, p.state);
  }

  /** The window or the socket opened: finish partial deliveries, then let links send. */
  resume(): void {
    if (this.backlog.length) this.writeBacklog();
    for (const link of this.links.values()) {
      if (!this.canTransfer()) return;
      if (link instanceof OutgoingLink && link.credit > 0 && link.state === 'attached') {
        link.events.onCredit?.();
        link.finishDrain();
      }
    }
  }

  forget(link: Link): void {
    if (this.links.get(link.handle) === link) this.links.delete(link.handle);
    const key = `${link.remote.role}:${link.name}`;
    if (this.names.get(key) === link) this.names.delete(key);
  }

  /** The session is over (end either way, or the connection is gone): every link goes too. */
  teardown(error?: AmqpError): void {
    if (this.ended) return;
    this.flushDispositions();
    this.ended = true;
    for (const link of [...this.links.values()]) {
      link.state = 'detached';
      link.gone(error);
    }
    this.links.clear();
    this.names.clear();
    this.unsettled.clear();
    this.backlog.length = 0;
  }
}

export type { IncomingDelivery };
