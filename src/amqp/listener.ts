/**
 * The AMQP 1.0 listeners (plain and TLS) on one rhea container: connection lifecycle, link
 * attach routing, and the wiring from rhea events to the link handlers. Everything Service Bus
 * means lives in the broker; this file only translates.
 */
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import type { Logger } from 'pino';
import type { BrokerApi, SessionReceiver } from '../broker/api.js';
import { errors } from '../broker/errors.js';
import type { MessageInput } from '../broker/types.js';
import type { AccessRight, AuthConfig } from '../auth/types.js';
import { parseAddress, stripToPath, withoutTransfer } from './address.js';
import { cbsResponse, handlePutToken } from './cbs.js';
import { decodeMessage, MessageDecodeError, splitBatch } from './codec.js';
import { ConnectionContext, type LinkHandler } from './connectionContext.js';
import { DeliveryLink } from './deliveryLink.js';
import { msToDotnetTicksBytes } from './dotnet.js';
import { toAmqpError, UNAUTHORIZED, type AmqpError } from './errors.js';
import { OPEN_FIELDS } from './limits.js';
import { handleManagementRequest } from './management.js';
import { findReplyLink } from './replies.js';
import { RAW_BYTES, rhea, types } from './rhea.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface AmqpListenerOptions {
  broker: BrokerApi;
  host: string;
  /** 0 picks a free port. */
  amqpPort: number;
  /** null: no TLS listener. 0 picks a free port. */
  amqpsPort: number | null;
  tls?: { key: string | Buffer; cert: string | Buffer };
  auth: AuthConfig;
  logger: Logger;
  /** Source of time for token expiry (defaults to Date.now). */
  now?: () => number;
}

export interface AmqpListeners {
  amqpPort: number;
  amqpsPort?: number;
  close(): Promise<void>;
}

const BATCH_FORMAT = 0x80013700;
const SESSION_FILTER = 'com.microsoft:session-filter';
const DEFAULT_SESSION_TIMEOUT_MS = 60_000;
const HANDLE = Symbol('servicebus-emulator.link-handler');
const CONTEXT = Symbol('servicebus-emulator.connection-context');

/** What a link does when the client sends on it ($cbs and $management requests, entity sends). */
interface IncomingHandler extends LinkHandler {
  onMessage(ctx: any): void;
}

export async function startAmqpListeners(options: AmqpListenerOptions): Promise<AmqpListeners> {
  const { broker, auth, logger } = options;
  const now = options.now ?? Date.now;
  const container = rhea.create_container({
    id: 'servicebus-emulator',
    // Settle only once the broker has the message (autoaccept off); abandon and defer arrive as
    // `modified`, which rhea would otherwise also report as `released` (PROTOCOL.md §7.2).
    autoaccept: false,
    treat_modified_as_released: false,
  } as any);
  const mechs: any = container.sasl_server_mechanisms;
  mechs.enable_anonymous();
  // .NET offers only MSSBCBS; like ANONYMOUS it proves nothing, CBS does the authentication.
  mechs.MSSBCBS = mechs.ANONYMOUS;
  mechs.enable_plain(() => true);

  const connections = new Set<any>();
  let connectionSeq = 0;

  const contextOf = (c: any): ConnectionContext => {
    let ctx: ConnectionContext | undefined = c[CONTEXT];
    if (!ctx) {
      const id = `c${++connectionSeq}`;
      ctx = new ConnectionContext(id, logger.child({ connection: id }), now);
      c[CONTEXT] = ctx;
    }
    return ctx;
  };

  const track = <H extends LinkHandler>(conn: ConnectionContext, link: any, handler: H) => {
    link[HANDLE] = handler;
    conn.handlers.add(handler);
  };

  /**
   * Attach, then detach with an error in the same tick (PROTOCOL.md §10). The attach carries null
   * source and target, as Azure's does: Java, Go and JS read a non-null terminus as "attached"
   * (a JS session receiver would even take an echoed session filter as granted) and only then
   * look for the error; pyamqp reports a null terminus as a failed attach, which it is.
   */
  const refuse = (link: any, error: AmqpError) => {
    link.local.attach.source = null;
    link.local.attach.target = null;
    if (!link.local.attach.properties) link.local.attach.properties = {};
    link.close(error);
  };

  const echoTermini = (link: any) => {
    const remote = link.remote.attach ?? {};
    link.local.attach.source = remote.source ? sourceOf(remote.source) : null;
    link.local.attach.target = remote.target ? targetOf(remote.target) : null;
    if (!link.local.attach.properties) link.local.attach.properties = {};
  };

  const authorized = (conn: ConnectionContext, link: any, address: string, rights: AccessRight[]): boolean => {
    const path = stripToPath(address);
    if (rights.some((r) => conn.isAuthorized(path, r))) return true;
    conn.log.debug({ address }, 'link refused: no token covers it');
    refuse(link, { condition: UNAUTHORIZED, description: `Unauthorized access. No valid token covers '${address}'.`, info: null });
    return false;
  };

  // ---- connections -------------------------------------------------------------------------

  container.on('connection_open', (ctx: any) => {
    connections.add(ctx.connection);
    const conn = contextOf(ctx.connection);
    conn.log.debug({ container: ctx.connection.remote.open?.container_id, hostname: ctx.connection.remote.open?.hostname }, 'connection open');
  });

  const dropConnection = (ctx: any) => {
    const c = ctx.connection;
    connections.delete(c);
    const conn: ConnectionContext | undefined = c?.[CONTEXT];
    if (conn && !conn.disposed) {
      conn.log.debug('connection closed');
      conn.dispose();
    }
  };
  container.on('connection_close', (ctx: any) => {
    dropConnection(ctx);
    if (ctx.connection.is_open()) ctx.connection.close();
  });
  container.on('disconnected', dropConnection);
  container.on('connection_error', (ctx: any) => contextOf(ctx.connection).log.debug({ err: ctx.connection.error }, 'connection error'));
  container.on('protocol_error', (err: any) => logger.debug({ err }, 'protocol error'));
  container.on('error', (err: any) => logger.debug({ err }, 'amqp error'));

  // ---- links: client senders (we receive) -----------------------------------------------------

  container.on('receiver_open', (ctx: any) => {
    const link = ctx.receiver;
    const conn = contextOf(ctx.connection);
    const address: string = link.remote.attach?.target?.address ?? '';
    const parsed = parseAddress(address);
    const log = conn.log.child({ link: link.name, address });
    echoTermini(link);
    log.debug({ role: 'sender' }, 'attach');

    if (parsed.kind === 'cbs') {
      track(conn, link, {
        dispose() {},
        onMessage(mctx: any) {
          const reply = handlePutToken(conn, auth, now(), mctx.message);
          mctx.delivery.accept();
          sendReply(link, mctx.message, '$cbs', cbsResponse(reply, mctx.message.message_id));
        },
      } satisfies IncomingHandler);
      return;
    }
    if (parsed.kind === 'management') {
      const path = withoutTransfer(parsed.entityPath);
      if (!entityExists(path)) return refuse(link, toAmqpError(errors.entityNotFound(address)));
      if (!authorized(conn, link, address, ['Listen', 'Send', 'Manage'])) return;
      track(conn, link, {
        dispose() {},
        onMessage(mctx: any) {
          const m = mctx.message;
          const op = m.application_properties?.operation;
          const res = handleManagementRequest({ broker, path }, op, m.body);
          log.debug({ operation: op, status: res.statusCode }, 'management request');
          mctx.delivery.accept();
          const application_properties: Record<string, unknown> = {
            statusCode: types.wrap_int(res.statusCode),
            statusDescription: res.description,
          };
          if (res.condition) application_properties.errorCondition = types.wrap_symbol(res.condition);
          sendReply(link, m, `${parsed.entityPath}/$management`, {
            correlation_id: m.message_id,
            application_properties,
            body: res.body ?? null,
          });
        },
      } satisfies IncomingHandler);
      return;
    }

    const path = parsed.entityPath;
    const kind = broker.entityKind(path);
    if (kind === undefined) return refuse(link, toAmqpError(errors.entityNotFound(address)));
    if (!authorized(conn, link, address, ['Send'])) return;
    link.local.attach.max_message_size = maxMessageSize(path);
    link.local.attach.rcv_settle_mode = 0;
    track(conn, link, {
      dispose() {},
      onMessage(mctx: any) {
        const delivery = mctx.delivery;
        let inputs: MessageInput[];
        try {
          if (mctx.format === BATCH_FORMAT) inputs = splitBatch(mctx.message as Buffer).map(decodeMessage);
          else {
            const raw: Buffer | undefined = mctx.message?.[RAW_BYTES] ?? (Buffer.isBuffer(mctx.message) ? mctx.message : undefined);
            if (!raw) throw new MessageDecodeError('message bytes unavailable');
            inputs = [decodeMessage(raw)];
          }
        } catch (e) {
          const description = e instanceof Error ? e.message : String(e);
          log.debug({ err: description }, 'undecodable message rejected');
          if (!delivery.remote_settled) delivery.reject({ condition: 'amqp:decode-error', description, info: null });
          return;
        }
        try {
          broker.send(path, inputs);
          if (!delivery.remote_settled) delivery.accept();
          log.debug({ count: inputs.length }, 'enqueued');
        } catch (e) {
          const err = toAmqpError(e);
          log.debug({ condition: err.condition }, 'send rejected');
          if (!delivery.remote_settled) delivery.reject(err);
        }
      },
    } satisfies IncomingHandler);
  });

  container.on('message', (ctx: any) => {
    const handler = ctx.receiver?.[HANDLE] as IncomingHandler | undefined;
    if (handler) {
      try {
        handler.onMessage(ctx);
      } catch (e) {
        logger.warn({ err: e }, 'unexpected error handling a message');
        if (!ctx.delivery.remote_settled) ctx.delivery.reject({ condition: 'amqp:internal-error', description: String(e), info: null });
      }
    } else if (!ctx.delivery.remote_settled) {
      ctx.delivery.reject({ condition: 'amqp:not-allowed', description: 'The link is not attached to a node.', info: null });
    }
  });

  // ---- links: client receivers (we send) ------------------------------------------------------

  container.on('sender_open', (ctx: any) => {
    const link = ctx.sender;
    const conn = contextOf(ctx.connection);
    const remote = link.remote.attach ?? {};
    const address: string = remote.source?.address ?? '';
    const parsed = parseAddress(address);
    const log = conn.log.child({ link: link.name, address });
    echoTermini(link);
    link.local.attach.snd_settle_mode = remote.snd_settle_mode ?? 0;
    link.local.attach.rcv_settle_mode = remote.rcv_settle_mode ?? 0;
    log.debug({ role: 'receiver' }, 'attach');

    if (parsed.kind === 'cbs' || parsed.kind === 'management') {
      // Reply links: responses find them by name or address (src/amqp/replies.ts).
      if (parsed.kind === 'management') {
        const path = withoutTransfer(parsed.entityPath);
        if (!entityExists(path)) return refuse(link, toAmqpError(errors.entityNotFound(address)));
      }
      track(conn, link, { dispose() {} });
      return;
    }

    const path = withoutTransfer(parsed.entityPath);
    const kind = broker.entityKind(path);
    if (kind === undefined || kind === 'topic') {
      return refuse(link, toAmqpError(kind === 'topic' ? errors.invalid(`Cannot receive from topic '${address}'. Receive from one of its subscriptions.`) : errors.entityNotFound(address)));
    }
    if (!authorized(conn, link, address, ['Listen'])) return;
    const mode = remote.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock';
    const handler = new DeliveryLink(link, broker, path, mode, log);
    track(conn, link, handler);

    const filter = remote.source?.filter;
    const hasSessionFilter = filter && typeof filter === 'object' && SESSION_FILTER in filter;
    if (!hasSessionFilter) {
      try {
        handler.bind(broker.openReceiver(path, { mode, onAvailable: handler.schedulePump }));
      } catch (e) {
        handler.dispose();
        refuse(link, toAmqpError(e));
      }
      return;
    }

    const requestedRaw = filter[SESSION_FILTER];
    const requested = unwrapValue(requestedRaw);
    const sessionOptions = { mode, onAvailable: handler.schedulePump, onSessionLockLost: handler.onSessionLockLost } as const;
    const grant = (receiver: SessionReceiver) => {
      link.local.attach.source = sourceOf(remote.source, echoSessionFilter(requestedRaw, receiver.sessionId));
      link.local.attach.properties = {
        ...(link.local.attach.properties ?? {}),
        'com.microsoft:locked-until-utc': types.wrap_long(msToDotnetTicksBytes(receiver.sessionLockedUntilUtc)),
      };
      log.debug({ sessionId: receiver.sessionId }, 'session accepted');
      handler.bind(receiver);
    };

    if (requested !== undefined && requested !== null && requested !== '') {
      try {
        grant(broker.acceptSession(path, String(requested), sessionOptions));
      } catch (e) {
        handler.dispose();
        refuse(link, toAmqpError(e));
      }
      return;
    }

    // Next available session: hold the attach reply until the broker finds one or gives up
    // (rhea marks the link open before this handler runs; undo that, PROTOCOL.md §8.3).
    link.state.local_open = false;
    link.state.open_requests = 0;
    const timeoutMs = sessionTimeout(remote.properties);
    // `done` may run synchronously (a session is free now) or later, from a send or a timer.
    let cancel: (() => void) | undefined;
    let settled = false;
    cancel = broker.acceptNextSession(path, { ...sessionOptions, timeoutMs }, (error, receiver) => {
      settled = true;
      cancel = undefined;
      try {
        if (conn.disposed || link.is_closed()) {
          receiver?.close();
          return;
        }
        if (receiver) {
          grant(receiver);
          link.open();
        } else {
          handler.dispose();
          link.open();
          refuse(link, toAmqpError(error ?? errors.timeout('session')));
        }
      } catch (e) {
        // Called from the broker (a timer or another client's send): never let it throw there.
        receiver?.close();
        log.error({ err: e }, 'could not complete a held session attach');
      }
    });
    if (settled) cancel = undefined;
    // If the client goes away while we wait, stop waiting.
    conn.handlers.add({ dispose: () => cancel?.() });
  });

  container.on('sendable', (ctx: any) => (ctx.sender?.[HANDLE] as DeliveryLink | undefined)?.schedulePump?.());
  container.on('sender_draining', (ctx: any) => {
    const h = ctx.sender?.[HANDLE];
    if (h instanceof DeliveryLink) h.onDraining();
    else ctx.sender.set_drained(true);
  });
  for (const kind of ['accepted', 'released', 'modified', 'rejected'] as const) {
    container.on(kind, (ctx: any) => {
      const h = ctx.sender?.[HANDLE];
      if (h instanceof DeliveryLink) h.onSettlement(kind, ctx.delivery);
    });
  }

  const onLinkClose = (link: any) => {
    const h = link?.[HANDLE] as LinkHandler | undefined;
    if (h) {
      h.dispose();
      (link.connection?.[CONTEXT] as ConnectionContext | undefined)?.handlers.delete(h);
      (link.connection?.[CONTEXT] as ConnectionContext | undefined)?.log.debug({ link: link.name }, 'detach');
    }
    if (!link.is_closed()) link.close();
  };
  container.on('sender_close', (ctx: any) => onLinkClose(ctx.sender));
  container.on('receiver_close', (ctx: any) => onLinkClose(ctx.receiver));
  container.on('sender_error', () => {});
  container.on('receiver_error', () => {});
  container.on('session_error', () => {});
  container.on('session_close', (ctx: any) => {
    if (!ctx.session.is_closed()) ctx.session.close();
  });

  // ---- helpers needing the broker ---------------------------------------------------------

  function entityExists(path: string): boolean {
    return broker.entityKind(path) !== undefined;
  }

  function maxMessageSize(path: string): number {
    try {
      const kind = broker.entityKind(path);
      const props = kind === 'topic' ? broker.getTopic(path).properties : broker.getQueue(path).properties;
      return props.maxMessageSizeInKilobytes * 1024;
    } catch {
      return 256 * 1024;
    }
  }

  function sendReply(requestLink: any, request: any, nodePath: string, response: Record<string, unknown>) {
    const replyLink = findReplyLink(requestLink, request.reply_to, nodePath);
    if (!replyLink) {
      logger.debug({ replyTo: request.reply_to, node: nodePath }, 'no link to reply on; response dropped');
      return;
    }
    if (request.reply_to !== undefined) response.to = request.reply_to;
    const delivery = replyLink.send(response);
    // Pre-settle responses where the client allows it (mixed, the default, or settled): a client
    // then has no disposition to send, and the disposition it would send, answered by nothing,
    // sat unacknowledged on the socket for Linux's 40 ms delayed ACK while Nagle held the
    // client's next request (the next attach) behind it.
    if (replyLink.remote.attach?.snd_settle_mode !== 0) delivery.settled = true;
  }

  // ---- listening ----------------------------------------------------------------------------

  const servers: Server[] = [];
  const listen = (opts: Record<string, unknown>) =>
    new Promise<Server>((resolve, reject) => {
      const server: Server = container.listen({ ...OPEN_FIELDS, ...opts, host: options.host } as any) as unknown as Server;
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        server.on('error', (err) => logger.error({ err }, 'amqp listener error'));
        resolve(server);
      });
    });

  const plain = await listen({ port: options.amqpPort });
  servers.push(plain);
  let amqpsPort: number | undefined;
  if (options.amqpsPort !== null && options.tls) {
    try {
      const secure = await listen({ port: options.amqpsPort, transport: 'tls', key: options.tls.key, cert: options.tls.cert });
      servers.push(secure);
      amqpsPort = (secure.address() as AddressInfo).port;
    } catch (e) {
      plain.close();
      throw e;
    }
  }

  return {
    amqpPort: (plain.address() as AddressInfo).port,
    amqpsPort,
    async close() {
      for (const c of connections) {
        try {
          (c[CONTEXT] as ConnectionContext | undefined)?.dispose();
          c.close();
          c.socket?.destroy?.();
        } catch {
          /* already gone */
        }
      }
      connections.clear();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

// ---- terminus helpers (module-level: no state) -------------------------------------------------

/** A filter value may arrive plain (JS, Python) or described (Go): reduce it to the session id. */
function unwrapValue(v: unknown): unknown {
  let x = v;
  while (x && typeof x === 'object' && !Buffer.isBuffer(x) && 'value' in (x as object)) x = (x as { value: unknown }).value;
  return x;
}

/** The granted session id, encoded the way the client encoded its request (go-amqp insists). */
function echoSessionFilter(requested: unknown, sessionId: string | null): unknown {
  const descriptor = requested && typeof requested === 'object' ? (requested as { descriptor?: unknown }).descriptor : undefined;
  if (descriptor === undefined) return sessionId;
  return types.described(descriptor, sessionId === null ? types.Null() : types.wrap_string(sessionId));
}

/** The client's source, echoed with its address verbatim (Python compares it), and the granted session. */
function sourceOf(remote: any, sessionFilter?: unknown): unknown {
  const fields: Record<string, unknown> = { address: remote?.address ?? null };
  if (sessionFilter !== undefined) fields.filter = { [SESSION_FILTER]: sessionFilter };
  else if (remote?.filter) fields.filter = remote.filter;
  return sourceTerminus(fields);
}

function targetOf(remote: any): unknown {
  return targetTerminus({ address: remote?.address ?? null });
}

const requireCjs = createRequire(import.meta.url);
const terminus = requireCjs('rhea/lib/terminus.js') as { source: (f: object) => { described(): unknown }; target: (f: object) => { described(): unknown } };
const sourceTerminus = (fields: object) => terminus.source(fields).described();
const targetTerminus = (fields: object) => terminus.target(fields).described();

function sessionTimeout(properties: any): number {
  const v = properties?.['com.microsoft:timeout'];
  const n = typeof v === 'number' ? v : Buffer.isBuffer(v) && v.length === 8 ? Number(v.readBigInt64BE()) : undefined;
  return n !== undefined && n > 0 ? n : DEFAULT_SESSION_TIMEOUT_MS;
}
