/**
 * Links (AMQP 1.0 section 2.6): attach and detach, and the flow-control state of each direction.
 * An OutgoingLink is one the engine sends on (the client's receiver): link credit and delivery
 * count per 2.6.7, drain answered by sending what is available and then advancing the count.
 * An IncomingLink is one the engine receives on (the client's sender): credit granted in windows,
 * deliveries reassembled from their frames within the link's max-message-size.
 */
import type { Payload } from './frameWriter.js';
import type { AmqpError } from './performatives.js';
import { add, distance } from './serial.js';
import type { Session } from './session.js';
import type { AttachReply, DeliveryState, IncomingDelivery, LinkEvents, OutgoingDelivery, RemoteAttach } from './types.js';

const MESSAGE_SIZE_EXCEEDED = 'amqp:link:message-size-exceeded';
/** The tag of a delivery the client sent without one (shared: an empty buffer cannot change). */
const NO_TAG = Buffer.alloc(0);

export abstract class Link {
  state: 'pending' | 'attached' | 'detached' = 'pending';
  events: LinkEvents = {};
  /** Set once the client has detached; the link then only waits for our detach. */
  remoteDetached = false;

  constructor(
    readonly session: Session,
    readonly remote: RemoteAttach,
  ) {}

  get name(): string {
    return this.remote.name;
  }

  get handle(): number {
    return this.remote.handle;
  }

  get connection() {
    return this.session.connection;
  }

  abstract get isSender(): boolean;

  protected abstract replyFields(reply: AttachReply): { initialDeliveryCount: number | null; maxMessageSize: number | null };

  /** Sends our attach: the link is open. */
  accept(reply: AttachReply): void {
    if (this.state !== 'pending') return;
    this.state = 'attached';
    const extra = this.replyFields(reply);
    this.session.writeAttach(this, {
      name: this.name,
      handle: this.handle,
      role: !this.isSender,
      sndSettleMode: reply.sndSettleMode ?? this.remote.sndSettleMode,
      rcvSettleMode: reply.rcvSettleMode ?? this.remote.rcvSettleMode,
      source: reply.source,
      target: reply.target,
      initialDeliveryCount: extra.initialDeliveryCount,
      maxMessageSize: extra.maxMessageSize,
      properties: reply.properties ?? {},
    });
    if (this.remoteDetached) this.detach();
    else this.opened();
  }

  /**
   * Refuses the link as Azure does: an attach with null source and target, then at once a detach
   * carrying the error. Clients read a non-null terminus as success, so both are null.
   */
  refuse(error: AmqpError): void {
    if (this.state !== 'pending') return;
    this.state = 'attached';
    this.session.writeAttach(this, {
      name: this.name, handle: this.handle, role: !this.isSender, sndSettleMode: this.remote.sndSettleMode, rcvSettleMode: this.remote.rcvSettleMode,
      source: null, target: null, initialDeliveryCount: this.isSender ? 0 : null, maxMessageSize: null, properties: {},
    });
    this.connection.log.info({ link: this.name, condition: error.condition, description: error.description }, 'link refused');
    this.detach(error);
  }

  /** Detaches (closed) with an optional error. Safe to call more than once. */
  detach(error?: AmqpError, remoteError?: AmqpError): void {
    if (this.state === 'detached') return;
    const wasPending = this.state === 'pending';
    this.state = 'detached';
    if (wasPending) {
      // Never attached from our side (a held attach): a detach must still follow an attach.
      this.session.writeAttach(this, {
        name: this.name, handle: this.handle, role: !this.isSender, sndSettleMode: this.remote.sndSettleMode, rcvSettleMode: this.remote.rcvSettleMode,
        source: null, target: null, initialDeliveryCount: this.isSender ? 0 : null, maxMessageSize: null, properties: {},
      });
    }
    this.session.writeDetach(this, error ?? null);
    if (error && !wasPending) this.connection.log.info({ link: this.name, condition: error.condition, description: error.description }, 'link detached');
    this.gone(error ?? remoteError);
  }

  /** The client detached: answer (if we have not already) and free the handle. */
  onRemoteDetach(error?: AmqpError): void {
    this.remoteDetached = true;
    if (this.state !== 'detached') this.detach(undefined, error);
    else this.gone(error);
  }

  private notified = false;
  private readonly goneListeners: (() => void)[] = [];

  /** Runs `fn` once the link is gone, whoever set `events`. */
  whenGone(fn: () => void): void {
    if (this.notified) fn();
    else this.goneListeners.push(fn);
  }

  /** Frees the handle once both sides have detached, and tells the user, once. */
  gone(error?: AmqpError): void {
    if (this.state === 'detached' && this.remoteDetached) this.session.forget(this);
    if (this.notified) return;
    this.notified = true;
    this.cleanup();
    // What the user releases here (a receiver, a session lock) must be released for every
    // link of a dropped connection: one handler's exception must not skip the rest.
    this.runHandler(() => this.events.onDetach?.(error));
    for (const fn of this.goneListeners.splice(0)) this.runHandler(fn);
  }

  private runHandler(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.connection.log.error({ err, link: this.name }, 'a detach handler threw');
    }
  }

  protected opened(): void {}
  protected cleanup(): void {}
}

/** The engine sends on this link. */
export class OutgoingLink extends Link {
  deliveryCount = 0;
  credit = 0;
  drain = false;
  /** The client's latest flow, applied once the link is attached. */
  private pendingFlow?: { deliveryCount?: number; linkCredit: number; drain: boolean };
  readonly unsettled = new Map<number, OutgoingDelivery>();

  get isSender(): boolean {
    return true;
  }

  protected replyFields(reply: AttachReply) {
    return { initialDeliveryCount: this.deliveryCount, maxMessageSize: reply.maxMessageSize ?? null };
  }

  /** The receiver settles first: our transfers go out settled. */
  get presettled(): boolean {
    return this.remote.sndSettleMode === 1;
  }

  /** How many deliveries may be sent right now. */
  sendable(): number {
    if (this.state !== 'attached' || this.credit <= 0) return 0;
    return this.session.canTransfer() ? this.credit : 0;
  }

  /**
   * Sends one message (one buffer, or buffers written one after another into the frame);
   * `settled` sends it pre-settled where the client's mode allows (mixed).
   */
  send(payload: Payload, tag: Buffer, settled = false): OutgoingDelivery {
    if (this.credit <= 0) throw new Error('no link credit');
    this.credit--;
    this.deliveryCount = add(this.deliveryCount, 1);
    const d = this.session.transfer(this, tag, payload, this.presettled || (settled && this.remote.sndSettleMode !== 0));
    if (!d.settled) this.unsettled.set(d.id, d);
    return d;
  }

  /** Settles a delivery from our side (the only thing that frees its slot), with an outcome. */
  settle(d: OutgoingDelivery, state: Buffer | null, tellPeer: boolean): void {
    if (d.settled) return;
    d.settled = true;
    this.unsettled.delete(d.id);
    this.session.settleOutgoing(d, state, tellPeer);
  }

  onFlow(deliveryCount: number | undefined, linkCredit: number, drain: boolean, echo: boolean): void {
    if (this.state === 'pending') {
      this.pendingFlow = { deliveryCount, linkCredit, drain };
      return;
    }
    if (this.state !== 'attached') return;
    this.applyFlow(deliveryCount, linkCredit, drain);
    this.events.onCredit?.();
    this.finishDrain();
    if (echo) this.writeFlow();
  }

  private applyFlow(deliveryCount: number | undefined, linkCredit: number, drain: boolean): void {
    // 2.6.7: credit = delivery-count(rcv) + link-credit(rcv) - delivery-count(snd). A receiver
    // that has not yet seen our deliveries may compute behind us: never below zero.
    const rcvCount = deliveryCount ?? 0;
    this.credit = Math.max(0, distance(add(rcvCount, linkCredit), this.deliveryCount));
    this.drain = drain;
  }

  /** A drain with credit left over: use it up by advancing the delivery count, then say so. */
  finishDrain(): void {
    if (!this.drain || this.state !== 'attached') return;
    this.deliveryCount = add(this.deliveryCount, this.credit);
    this.credit = 0;
    this.drain = false;
    this.writeFlow(true);
  }

  private writeFlow(drain = false): void {
    this.session.writeLinkFlow(this, { deliveryCount: this.deliveryCount, linkCredit: this.credit, available: 0, drain });
  }

  protected override opened(): void {
    const f = this.pendingFlow;
    this.pendingFlow = undefined;
    if (f) this.onFlow(f.deliveryCount, f.linkCredit, f.drain, false);
  }

  protected override cleanup(): void {
    for (const d of this.unsettled.values()) this.session.forgetOutgoing(d);
    this.unsettled.clear();
  }
}

/** The engine receives on this link. */
export class IncomingLink extends Link {
  deliveryCount = 0;
  credit = 0;
  maxMessageSize = 256 * 1024;
  private window = 1000;
  private partial?: { id: number; tag: Buffer; format: number; settled: boolean; chunks: Buffer[]; size: number; oversize: boolean; state?: DeliveryState };

  get isSender(): boolean {
    return false;
  }

  protected replyFields(reply: AttachReply) {
    if (reply.maxMessageSize) this.maxMessageSize = reply.maxMessageSize;
    return { initialDeliveryCount: null, maxMessageSize: reply.maxMessageSize ?? null };
  }

  /** Grants credit in windows of `window`; called on attach and when half has been used. */
  grant(window: number): void {
    this.window = window;
    this.credit = window;
    this.session.writeLinkFlow(this, { deliveryCount: this.deliveryCount, linkCredit: this.credit, available: 0, drain: false });
  }

  protected override opened(): void {
    this.deliveryCount = this.remote.initialDeliveryCount ?? 0;
    this.grant(this.window);
  }

  onFlow(deliveryCount: number | undefined, echo: boolean): void {
    if (deliveryCount !== undefined && this.state === 'attached') {
      // The sender may have advanced its count (a drain it honoured): our credit follows.
      const ahead = distance(deliveryCount, this.deliveryCount);
      if (ahead > 0) {
        this.deliveryCount = deliveryCount;
        this.credit = Math.max(0, this.credit - ahead);
      }
    }
    if (echo) this.grant(this.window);
    else if (this.credit < this.window / 2 && this.state === 'attached') this.grant(this.window);
  }

  /**
   * One transfer frame for this link (delivery-id, tag, format and settled count on a delivery's
   * first frame only). Returns an error that detaches the link, if any.
   */
  onTransfer(
    id: number | undefined,
    tag: Buffer | undefined,
    format: number,
    settled: boolean,
    more: boolean,
    aborted: boolean,
    payload: Buffer,
    state?: DeliveryState,
  ): AmqpError | undefined {
    let p = this.partial;
    if (!p) {
      if (id === undefined) return { condition: 'amqp:session:unattached-handle', description: 'The first transfer of a delivery must carry its delivery-id.' };
      if (this.credit <= 0) return { condition: 'amqp:link:transfer-limit-exceeded', description: 'Transfer without link credit.' };
      this.credit--;
      this.deliveryCount = add(this.deliveryCount, 1);
      if (!more && !aborted && payload.length <= this.maxMessageSize) {
        // The usual case, a whole delivery in one frame: no reassembly state. The budget is
        // still asked, as for a partial delivery, so a spent one closes the connection alike.
        if (!this.connection.reserve(payload.length)) return undefined;
        this.connection.release(payload.length);
        // An exact-size copy: the frame is a view of a socket read, and a pooled copy would pin a slab.
        return this.deliver({ id, tag: tag ?? NO_TAG, format, remoteSettled: settled, payload: ownedCopy([payload], payload.length), state });
      }
      p = { id, tag: tag ?? NO_TAG, format, settled, chunks: [], size: 0, oversize: false, state };
      this.partial = p;
    } else {
      if (settled) p.settled = true;
      if (state) p.state = state;
    }
    if (aborted) {
      this.dropPartial();
      return undefined;
    }
    if (!p.oversize) {
      if (p.size + payload.length > this.maxMessageSize) {
        // Stop buffering at once; the rest of the delivery is read and dropped.
        this.connection.release(p.size);
        p.chunks = [];
        p.size = 0;
        p.oversize = true;
      } else {
        // A frame is a view of a socket read, which it would keep pinned: the frames before the
        // last are copied now (they wait for the rest), the last one with them just below.
        p.chunks.push(more ? Buffer.from(payload) : payload);
        p.size += payload.length;
        // Fails (closing the connection) when the connection's budget is spent.
        if (!this.connection.reserve(payload.length)) return undefined;
      }
    }
    if (more) return undefined;
    this.partial = undefined;
    this.connection.release(p.size);
    const delivery: IncomingDelivery = {
      id: p.id,
      tag: p.tag,
      format: p.format,
      remoteSettled: p.settled,
      payload: ownedCopy(p.chunks, p.size),
      state: p.state,
    };
    if (p.oversize) {
      if (this.credit < this.window / 2) this.grant(this.window);
      this.settle(delivery, {
        condition: MESSAGE_SIZE_EXCEEDED,
        description: `The received message exceeds the link's maximum message size of ${this.maxMessageSize} bytes.`,
      });
      return undefined;
    }
    return this.deliver(delivery);
  }

  /** A complete delivery: credit topped up at half the window, then the message handed on. */
  private deliver(delivery: IncomingDelivery): undefined {
    if (this.credit < this.window / 2) this.grant(this.window);
    this.events.onMessage?.(delivery);
    return undefined;
  }

  /** Sends our outcome (settled), unless the client already settled. */
  settle(d: IncomingDelivery, outcome: Buffer | AmqpError): void {
    if (d.remoteSettled || this.state !== 'attached') return;
    this.session.settleIncoming(d.id, outcome);
  }

  private dropPartial(): void {
    if (this.partial) this.connection.release(this.partial.size);
    this.partial = undefined;
  }

  protected override cleanup(): void {
    this.dropPartial();
  }
}

/**
 * The delivery's bytes in a buffer of their own. The broker keeps views of it for as long as the
 * message is stored, and Buffer.from / Buffer.concat serve anything under 4 KB from Node's shared
 * 8 KB pool: one small message would then keep a whole pool slab alive (80 times its size).
 */
function ownedCopy(chunks: Buffer[], size: number): Buffer {
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const c of chunks) at += c.copy(out, at);
  return out;
}
