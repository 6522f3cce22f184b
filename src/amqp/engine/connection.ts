/**
 * One AMQP 1.0 connection over one socket or byte stream (sections 2.2 to 2.4 and 5.3): protocol headers, the
 * SASL exchange, open and close, channels, heartbeats and idle detection, write batching and
 * back-pressure, and a memory budget. A peer's error closes its own connection and nothing else.
 */
import type { Logger } from 'pino';
import { Decoder, EncodingError } from './decoder.js';
import { Encoder } from './encoder.js';
import * as W from './frameWriter.js';
import { FastPerformativeReader } from './fastDecode.js';
import { FrameReader, type Frame } from './frameReader.js';
import { FramingError, NAMES, OUTCOME, P, errorOf, requiredUint, toPerformative, uintField, writeError, type AmqpError, type Performative } from './performatives.js';
import { SaslServer } from './sasl.js';
import { guarded } from './guard.js';
import { Session, SessionError } from './session.js';
import type { EngineOptions, Transport } from './types.js';

const MIN_MAX_FRAME_SIZE = 512;
const NO_PAYLOAD: Buffer = Buffer.alloc(0);
/** The output buffer's size, and the room below which a flush moves on to a fresh one. */
const OUT_BUFFER = 64 * 1024;
const OUT_MIN_ROOM = 8 * 1024;
const OUT_MAX_BUFFER = 1024 * 1024;
let connectionSeq = 0;

export class Connection {
  readonly id = `c${++connectionSeq}`;
  readonly log: Logger;
  readonly out = new Encoder(OUT_BUFFER);
  peerMaxFrameSize = MIN_MAX_FRAME_SIZE;
  /** What the user keeps per connection (grants, handlers). */
  context: unknown;
  remoteOpen?: { containerId?: string; hostname?: string };
  private readonly reader: FrameReader;
  private readonly fast = new FastPerformativeReader();
  private readonly sasl: SaslServer;
  private readonly sessions = new Map<number, Session>();
  private phase: 'header' | 'sasl' | 'open' | 'opened' | 'closing' | 'closed' = 'header';
  private openSent = false;
  private flushScheduled = false;
  private reserved = 0;
  private heartbeatTimer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private lastRead = Date.now();
  private wroteSinceBeat = false;
  private blocked = false;

  constructor(
    readonly socket: Transport,
    readonly options: EngineOptions,
  ) {
    this.log = options.logger.child({ connection: this.id });
    this.reader = new FrameReader(options.maxFrameSize);
    this.sasl = new SaslServer(this);
    // Frames are batched per flush already; Nagle would only add latency. A WebSocket stream has
    // no such method (its own socket is set up by the WebSocket server).
    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => guarded(this, () => this.onDrain()));
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'socket error'));
    socket.on('close', () => this.onSocketClosed());
    this.idleTimer = setInterval(() => guarded(this, () => this.checkIdle()), Math.max(50, options.idleTimeOutMs / 2));
    this.idleTimer.unref();
  }

  // ---- reading -----------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.lastRead = Date.now();
    if (this.phase === 'closed' || this.phase === 'closing') return;
    try {
      this.reader.push(chunk);
      for (;;) {
        if (this.isEnding()) break;
        const item = this.reader.next(this.phase === 'header');
        if (!item) break;
        if (item.kind === 'header') this.onHeader(item.protocolId, item.version);
        else this.onFrame(item);
      }
    } catch (e) {
      this.fail(e);
    }
    for (const s of this.sessions.values()) s.flushDispositions();
    this.flush();
  }

  private isEnding(): boolean {
    return this.phase === 'closed' || this.phase === 'closing';
  }

  private onHeader(protocolId: number, version: string): void {
    if (version !== '1.0.0' || (protocolId !== 0 && protocolId !== 3)) {
      // AMQP 1.0 section 2.2: answer with the header we do speak, then close.
      this.out.raw(Buffer.from([0x41, 0x4d, 0x51, 0x50, 3, 1, 0, 0]));
      this.flush();
      this.socket.end();
      this.phase = 'closing';
      this.log.info({ protocolId, version }, 'connection refused: unsupported protocol header');
      return;
    }
    // Into the same output as the frames: a pipelined client gets everything in order.
    this.out.raw(Buffer.from([0x41, 0x4d, 0x51, 0x50, protocolId, 1, 0, 0]));
    this.scheduleFlush();
    if (protocolId === 3) {
      this.phase = 'sasl';
      this.sasl.start();
    } else if (!this.sasl.done && !this.sasl.allowsNone()) {
      throw new FramingError('this server requires SASL', 'amqp:unauthorized-access');
    } else this.phase = 'open';
  }

  /** SASL succeeded: the next bytes are the AMQP protocol header (often in the same read). */
  saslDone(): void {
    this.phase = 'header';
  }

  private onFrame(frame: Frame): void {
    if (frame.end === frame.start) return; // heartbeat
    let p = this.fast.read(frame.buf, frame.start, frame.end);
    let payload: Buffer = NO_PAYLOAD;
    if (p) {
      // Only a transfer has a payload: no view of the buffer for the other frames.
      if (p.code === P.transfer) payload = frame.buf.subarray(this.fast.end, frame.end);
    } else {
      const body = frame.buf.subarray(frame.start, frame.end);
      const decoder = new Decoder(body);
      p = toPerformative(decoder.read());
      payload = body.subarray(decoder.pos);
    }
    if (frame.type === W.FRAME_SASL) {
      if (this.phase !== 'sasl') throw new FramingError('a SASL frame outside the SASL exchange');
      this.sasl.onFrame(p);
      return;
    }
    if (p.code < P.open || p.code > P.close) throw new EncodingError(`unknown performative 0x${p.code.toString(16)}`);
    if (frame.type !== W.FRAME_AMQP || this.phase === 'sasl') throw new FramingError(`unexpected frame type ${frame.type}`);
    if (this.phase === 'open') {
      if (p.code !== P.open) throw new FramingError(`expected open, got ${NAMES[p.code] ?? p.code}`);
      this.onOpen(p);
      return;
    }
    if (p.code === P.close) return this.onClose(p);
    if (p.code === P.open) throw new FramingError('a second open');
    this.onSessionFrame(frame.channel, p, payload);
  }

  private onOpen(p: Performative): void {
    const max = uintField(p, 2, 'open', 'max-frame-size') ?? 0xffffffff;
    if (max < MIN_MAX_FRAME_SIZE) throw new FramingError(`max-frame-size ${max} is below the minimum of 512`);
    this.peerMaxFrameSize = Math.min(max, this.options.maxFrameSize);
    const idle = uintField(p, 4, 'open', 'idle-time-out') ?? 0;
    this.remoteOpen = { containerId: p.fields[0] as string | undefined, hostname: p.fields[1] as string | undefined };
    this.sendOpen();
    this.phase = 'opened';
    if (idle > 0) {
      // Half the peer's idle time-out, so a frame always arrives in time.
      this.heartbeatTimer = setInterval(() => guarded(this, () => this.beat()), Math.max(100, idle / 2));
      this.heartbeatTimer.unref();
    }
    this.log.debug({ container: this.remoteOpen.containerId, hostname: this.remoteOpen.hostname }, 'connection open');
    this.options.handler.onConnectionOpen?.(this);
  }

  private sendOpen(): void {
    if (this.openSent) return;
    this.openSent = true;
    W.open(this.out, {
      containerId: this.options.containerId,
      maxFrameSize: this.options.maxFrameSize,
      channelMax: this.options.channelMax,
      idleTimeOutMs: this.options.idleTimeOutMs,
    });
  }

  private onSessionFrame(channel: number, p: Performative, payload: Buffer): void {
    if (p.code === P.begin) {
      if (uintField(p, 0, 'begin', 'remote-channel') !== undefined) throw new FramingError('begin: the server never opens sessions, so remote-channel must be null');
      if (channel > this.options.channelMax) throw new FramingError(`channel ${channel} exceeds channel-max ${this.options.channelMax}`);
      if (this.sessions.has(channel)) throw new FramingError(`channel ${channel} is already in use`);
      this.sessions.set(channel, new Session(this, channel, p));
      this.scheduleFlush();
      return;
    }
    const session = this.sessions.get(channel);
    if (!session) throw new FramingError(`${NAMES[p.code] ?? p.code} on channel ${channel}, which has no session`);
    if (p.code === P.end) {
      // Our own end (after a session error) may already be on its way: then this is the answer.
      const answered = session.ended;
      session.teardown(errorOf(p.fields[0]));
      this.sessions.delete(channel);
      if (!answered) W.endSession(this.out, channel, null);
      this.scheduleFlush();
      return;
    }
    if (session.ended) return; // our end is on its way; the client's frames cross it
    try {
      switch (p.code) {
        case P.attach: return session.onAttach(p);
        case P.flow: return session.onFlow(p);
        case P.transfer: return session.onTransfer(p, payload);
        case P.disposition: return session.onDisposition(p);
        case P.detach: return session.onDetach(p);
        default: throw new EncodingError(`unknown performative 0x${p.code.toString(16)}`);
      }
    } catch (e) {
      if (!(e instanceof SessionError)) throw e;
      // A session error ends that session only.
      this.log.info({ channel, condition: e.condition, description: e.message }, 'session ended with an error');
      session.teardown({ condition: e.condition, description: e.message });
      W.endSession(this.out, channel, { condition: e.condition, description: e.message });
      this.scheduleFlush();
    }
  }

  private onClose(p: Performative): void {
    const error = errorOf(p.fields[0]);
    this.log.info({ condition: error?.condition, description: error?.description }, 'connection closed by the client');
    this.teardown(error);
    W.close(this.out, null);
    this.flush();
    this.phase = 'closing';
    this.socket.end();
  }

  // ---- writing -----------------------------------------------------------------------------

  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => guarded(this, () => this.flush()));
  }

  /** Writes everything encoded so far in one socket write. */
  flush(): void {
    this.flushScheduled = false;
    // A settlement made outside frame handling (a delayed send) has only its disposition queued.
    if (this.phase !== 'closed') for (const s of this.sessions.values()) s.flushDispositions();
    if (this.out.length === 0 || this.phase === 'closed') {
      this.out.reset();
      return;
    }
    // The socket keeps these bytes until written; the next frames go after them in the same
    // buffer, and a fresh one is only allocated once it is nearly full.
    const buf = this.out.buf;
    const bytes = this.out.take(OUT_MIN_ROOM, this.nextOutBuffer);
    this.wroteSinceBeat = true;
    this.writing.set(buf, (this.writing.get(buf) ?? 0) + 1);
    const written = () => this.written(buf);
    if (!this.socket.write(bytes, written) || this.socket.writableLength > this.options.highWaterMark) this.blocked = true;
  }

  /**
   * Output buffers whose every write has completed wait here to be written into again: a
   * connection that sends a lot cycles through two buffers instead of allocating (and faulting
   * in, and collecting) a fresh one each time one fills.
   */
  private readonly spare: Buffer[] = [];
  /** Writes not yet completed, per output buffer. */
  private readonly writing = new Map<Buffer, number>();

  private readonly nextOutBuffer = (): Buffer => {
    const size = Math.min(Math.max(this.out.buf.length, OUT_BUFFER), OUT_MAX_BUFFER);
    const spare = this.spare.pop();
    return spare && spare.length >= size ? spare : Buffer.allocUnsafe(size);
  };

  /** The socket is done with a write: its buffer may be reused once nothing else is pending on it. */
  private written(buf: Buffer): void {
    const left = (this.writing.get(buf) ?? 1) - 1;
    if (left > 0) {
      this.writing.set(buf, left);
      return;
    }
    this.writing.delete(buf);
    if (buf !== this.out.buf && buf.length >= OUT_BUFFER && buf.length <= OUT_MAX_BUFFER && this.spare.length < 2) this.spare.push(buf);
  }

  /**
   * Whether links may send now. Frames are encoded ahead of the socket write, so a large batch
   * is written out as soon as it passes the high-water mark: the socket's own buffer then says
   * whether the client keeps up.
   */
  writable(): boolean {
    if (this.out.length >= this.options.highWaterMark && !this.blocked) this.flush();
    return !this.blocked && this.phase === 'opened';
  }

  private onDrain(): void {
    if (!this.blocked) return;
    this.blocked = false;
    for (const s of this.sessions.values()) s.resume();
    this.flush();
  }

  private beat(): void {
    if (!this.wroteSinceBeat && this.phase === 'opened') {
      W.heartbeat(this.out);
      this.flush();
    }
    this.wroteSinceBeat = false;
  }

  private checkIdle(): void {
    if (this.phase === 'closed') return;
    // Twice the announced idle-time-out, the convention of Azure's and Qpid's brokers.
    if (Date.now() - this.lastRead > 2 * this.options.idleTimeOutMs) {
      this.fail(new FramingError(`no frame received for ${2 * this.options.idleTimeOutMs} ms`, 'amqp:resource-limit-exceeded'));
    }
  }

  // ---- memory budget -----------------------------------------------------------------------

  /** Counts bytes held for partial deliveries; false (and the connection closed) past the budget. */
  reserve(n: number): boolean {
    this.reserved += n;
    if (this.reserved <= this.options.memoryBudget) return true;
    this.fail(new FramingError(`the connection holds more than ${this.options.memoryBudget} bytes of partial deliveries`, 'amqp:resource-limit-exceeded'));
    return false;
  }

  release(n: number): void {
    this.reserved = Math.max(0, this.reserved - n);
  }

  private rejectedCache = new Encoder(256);

  /** A rejected outcome carrying an error, encoded. */
  rejectedState(error: AmqpError): Buffer {
    const e = this.rejectedCache;
    e.reset();
    e.descriptor(OUTCOME.rejected);
    const end = e.startCompound(0xd0);
    writeError(e, error);
    end(1);
    return Buffer.from(e.buf.subarray(0, e.at));
  }

  // ---- ending ------------------------------------------------------------------------------

  /** Closes the connection with an error of the user's choosing (authorization, for one). */
  closeWith(condition: string, description: string): void {
    this.fail(new FramingError(description, condition));
  }

  framingError(message: string): FramingError {
    return new FramingError(message);
  }

  /** Closes this connection with an error (and only this one). */
  fail(e: unknown): void {
    if (this.phase === 'closed' || this.phase === 'closing') return;
    const condition = e instanceof FramingError ? e.condition : e instanceof EncodingError ? 'amqp:decode-error' : 'amqp:internal-error';
    const description = e instanceof Error ? e.message : String(e);
    this.log.info({ condition, description }, 'connection closed with an error');
    if (condition === 'amqp:internal-error') this.log.error({ err: e }, 'engine error');
    const amqpStarted = this.phase === 'open' || this.phase === 'opened';
    this.teardown({ condition, description });
    if (amqpStarted) {
      this.sendOpen();
      W.close(this.out, { condition, description });
    }
    this.flush();
    this.phase = 'closing';
    this.socket.end();
    // A peer that never reads must not keep the socket: give the close a moment, then cut.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Drops the connection without a close frame (listener shutdown). */
  destroy(): void {
    this.teardown();
    this.socket.destroy();
  }

  private teardown(error?: AmqpError): void {
    for (const s of this.sessions.values()) s.teardown(error);
    this.sessions.clear();
    this.reserved = 0;
  }

  private onSocketClosed(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.idleTimer) clearInterval(this.idleTimer);
    const unannounced = this.phase !== 'closed' && this.phase !== 'closing';
    this.teardown();
    this.phase = 'closed';
    if (unannounced) this.log.info('connection lost without a close frame');
    try {
      this.options.handler.onConnectionClosed?.(this);
    } catch (err) {
      // The socket is gone already: there is nothing left to fail, only to report.
      this.log.error({ err }, 'the connection-closed handler threw');
    }
  }
}

export { requiredUint };
