/**
 * The AMQP 1.0 listeners (plain and TLS, and streams handed over by the WebSocket gateway,
 * src/amqp/websocket.ts) on one engine: which node each link attaches to, who may
 * attach it, and the handler that serves it. Everything Service Bus means lives in the broker;
 * the wire lives in src/amqp/engine.
 */
import net, { type AddressInfo, type Server } from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { BrokerApi } from '../broker/api.js';
import { errors } from '../broker/errors.js';
import { validateKeyPair } from '../auth/sas.js';
import type { AccessRight, AuthConfig } from '../auth/types.js';
import { forwardingBroker, tokenKeyName, type NamespaceBinding, type NamespaceLookup } from '../auth/namespace.js';
import { parseAddress, stripToPath, withoutTransfer } from './address.js';
import { ConnectionContext } from './connectionContext.js';
import { type DelayFor, gateDelays } from './delayGate.js';
import { LinkControl } from './linkControl.js';
import { serveCoordinator } from './coordinator.js';
import { Engine, IncomingLink, type Connection, type Link, type OutgoingLink, type Transport } from './engine/index.js';
import { serveEntityReceiver, serveEntitySender } from './entityLinks.js';
import { toAmqpError, UNAUTHORIZED } from './errors.js';
import { CHANNEL_MAX, CONNECTION_MEMORY_BUDGET, HANDLE_MAX, IDLE_TIME_OUT_MS, MAX_FRAME_SIZE, WRITE_HIGH_WATER_MARK } from './limits.js';
import { ReplyLink } from './replies.js';
import { unsupportedAttach } from './unsupported.js';
import { CBS_MAX_MESSAGE_SIZE, MANAGEMENT_MAX_MESSAGE_SIZE, serveCbs, serveManagement } from './requestLinks.js';

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
  /** Idle time-out announced to clients (ms); a silent client is closed after twice this. */
  idleTimeOutMs?: number;
  /** How long a connection may stay open without authenticating (ms); Azure's is 20 s. */
  authTimeoutMs?: number;
  /** Delay faults of the test control plane: how long to hold a send or management request. */
  delayFor?: DelayFor;
  /** Namespaces created besides the default one (`broker`, `auth`), by key name. */
  namespaceFor?: NamespaceLookup;
}

export interface AmqpListeners {
  amqpPort: number;
  amqpsPort?: number;
  /**
   * Runs one AMQP connection over a byte stream that is not one of our sockets (a WebSocket), on
   * the same engine, with the same limits and authentication as the TCP listeners. After close()
   * the stream is destroyed instead.
   */
  acceptStream(stream: Transport): void;
  /** Entity links by path, for the test control plane (reset, dropped-connection faults). */
  links: LinkControl;
  close(): Promise<void>;
}

const AUTH_TIMEOUT_MS = 20_000;
/** How long an attach that no token covers yet waits for one before it is refused. */
const AUTH_HOLD_MS = 2_000;
const DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024;
const TRANSFER_DESTINATION = 'com.microsoft:transfer-destination-address';

export async function startAmqpListeners(options: AmqpListenerOptions): Promise<AmqpListeners> {
  const { auth, logger } = options;
  const defaultNamespace: NamespaceBinding = { name: '', broker: options.broker, auth, delayFor: options.delayFor };
  /** A connection's namespace: bound already, or the one `keyName` belongs to. */
  const namespaceOf = (conn: ConnectionContext, keyName: string | undefined): NamespaceBinding =>
    conn.namespace ?? (keyName === undefined ? undefined : options.namespaceFor?.(keyName)) ?? defaultNamespace;
  const now = options.now ?? Date.now;
  const authTimeoutMs = options.authTimeoutMs ?? AUTH_TIMEOUT_MS;

  const contextOf = (c: Connection): ConnectionContext => {
    if (!c.context) c.context = new ConnectionContext(c.id, c.log, now);
    return c.context as ConnectionContext;
  };

  const engine = new Engine({
    containerId: 'servicebus-emulator',
    maxFrameSize: MAX_FRAME_SIZE,
    channelMax: CHANNEL_MAX,
    handleMax: HANDLE_MAX,
    idleTimeOutMs: options.idleTimeOutMs ?? IDLE_TIME_OUT_MS,
    memoryBudget: CONNECTION_MEMORY_BUDGET,
    highWaterMark: WRITE_HIGH_WATER_MARK,
    // .NET offers only MSSBCBS; like ANONYMOUS it proves nothing, CBS does the authentication.
    sasl: {
      mechanisms: ['MSSBCBS', 'ANONYMOUS', 'PLAIN'],
      // PLAIN: a policy's name and key, as generic AMQP clients (Qpid JMS, Proton) log in to Azure.
      // The connection then acts with that policy's rights, on the namespace or on the policy's
      // own entity, for its lifetime.
      plain: (user, password, c) => {
        const ns = namespaceOf(contextOf(c), user);
        const grants = validateKeyPair(ns.auth, user, password);
        if (grants.length > 0) contextOf(c).namespace ??= ns;
        for (const g of grants) contextOf(c).addGrant({ ...g, expiresAtMs: Number.POSITIVE_INFINITY });
        return grants.length > 0;
      },
    },
    logger,
    handler: {
      onConnectionOpen: (c) => {
        const ctx = contextOf(c);
        // Azure closes a connection that has not authenticated (put-token or PLAIN) in 20 s.
        const timer = setTimeout(() => {
          if (!ctx.authenticated && !ctx.disposed) {
            c.closeWith(UNAUTHORIZED, `The connection was not authenticated within ${authTimeoutMs / 1000} seconds of opening.`);
          }
        }, authTimeoutMs);
        timer.unref();
        ctx.handlers.add({ dispose: () => clearTimeout(timer) });
      },
      onConnectionClosed: (c) => (c.context as ConnectionContext | undefined)?.dispose(),
      onAttach: (link, c) => {
        const ctx = contextOf(c);
        const run = () => {
          if (link.state !== 'pending') return;
          try {
            attach(link, ctx);
          } catch (e) {
            logger.error({ err: e }, 'attach failed');
            if (link.state === 'pending') link.refuse(toAmqpError(e));
          }
        };
        if (ctx.namespace !== undefined || options.namespaceFor === undefined || needsNoNamespace(link)) return run();
        // Which namespace an entity link means is known only once a token binds the connection
        // (a client may pipeline its attach behind its put-token): wait for it, briefly.
        const stop = ctx.onGrant(() => {
          stop();
          clearTimeout(timer);
          run();
        });
        const timer = setTimeout(() => {
          stop();
          // It has waited for a token already: authorize() need not wait again.
          heldForToken.add(link);
          run();
        }, AUTH_HOLD_MS);
        timer.unref();
      },
    },
  });

  const links = new LinkControl(() => engine.connections);
  /** Links that waited AUTH_HOLD_MS for a namespace before attaching. */
  const heldForToken = new WeakSet<Link>();

  /**
   * Runs `proceed` once a grant lets the link attach; the link then lasts only as long as some
   * grant does. A client may pipeline its put-token and its attach (Java 7.15 attaches the
   * $management link before its token's answer), so an attach no grant covers yet waits for
   * the connection's next accepted token, briefly, before it is refused.
   */
  const authorize = (conn: ConnectionContext, link: Link, address: string, rights: AccessRight[], proceed: () => void): void => {
    const path = stripToPath(address);
    const admit = (): boolean => {
      if (!rights.some((r) => conn.isAuthorized(path, r))) return false;
      const unwatch = conn.watch(path, rights, (description) => link.detach({ condition: UNAUTHORIZED, description }));
      link.whenGone(unwatch);
      links.track(link, path);
      proceed();
      return true;
    };
    if (admit()) return;
    const refuse = () => link.refuse({ condition: UNAUTHORIZED, description: `Unauthorized access. No valid token covers '${address}'.` });
    // A grant covers the path but without the right: no later token is on its way, refuse now.
    if (conn.coversPath(path)) return refuse();
    const stop = conn.onGrant(() => {
      if (link.state !== 'pending') return stop();
      if (admit()) {
        stop();
        clearTimeout(timer);
      }
    });
    const timer = setTimeout(() => {
      stop();
      if (link.state === 'pending') refuse();
    }, heldForToken.has(link) ? 0 : AUTH_HOLD_MS);
    timer.unref();
    link.whenGone(() => {
      stop();
      clearTimeout(timer);
    });
  };

  function needsNoNamespace(link: Link): boolean {
    const remote = link.remote;
    if (link instanceof IncomingLink && (remote.target?.coordinator || parseAddress(remote.target?.address ?? '').kind === 'cbs')) return true;
    return !(link instanceof IncomingLink) && parseAddress(remote.source?.address ?? '').kind !== 'entity';
  }

  function attach(link: Link, conn: ConnectionContext): void {
    const ns = namespaceOf(conn, undefined);
    const broker = ns.broker;
    const remote = link.remote;
    const incoming = link instanceof IncomingLink;
    const address = (incoming ? remote.target?.address : remote.source?.address) ?? '';
    const parsed = parseAddress(address);
    const log = conn.log.child({ link: link.name, address });
    const host = link.session.connection.remoteOpen?.hostname;
    const echo = { source: remote.source ? { address: remote.source.address, filter: remote.source.filter } : null, target: remote.target ? { address: remote.target.address } : null };
    log.debug({ role: remote.role }, 'attach');
    const unsupported = unsupportedAttach(remote);
    if (unsupported) {
      log.info({ description: unsupported.description }, 'attach refused: not implemented');
      return link.refuse(unsupported);
    }

    if (parsed.kind === 'management') {
      const path = withoutTransfer(parsed.entityPath);
      if (broker.entityKind(path) === undefined) return link.refuse(toAmqpError(errors.entityNotFound(path), host));
    }
    if (!incoming) {
      const out = link as OutgoingLink;
      if (parsed.kind !== 'entity') {
        // Reply links: responses find them by name or address (src/amqp/replies.ts).
        const r = new ReplyLink(out);
        conn.replyLinks.add(r);
        const previous = out.events.onDetach;
        out.events.onDetach = (e) => {
          conn.replyLinks.delete(r);
          previous?.(e);
        };
        return out.accept(echo);
      }
      const path = withoutTransfer(parsed.entityPath);
      const kind = broker.entityKind(path);
      if (kind === undefined || kind === 'topic') {
        return out.refuse(toAmqpError(kind === 'topic' ? errors.invalid(`Cannot receive from topic '${address}'. Receive from one of its subscriptions.`) : errors.entityNotFound(path), host));
      }
      return authorize(conn, out, address, ['Listen'], () => serveEntityReceiver(out, conn, broker, path, log));
    }

    const inLink = link as IncomingLink;
    if (remote.target?.coordinator) {
      // No token is needed: Java attaches the coordinator before any (createTransaction on a new
      // connection), a transaction touches nothing until an authorized link works in it, and an
      // unauthenticated connection is closed after 20 s all the same.
      // Its transactions act in the namespace the connection's token binds it to, later.
      serveCoordinator(inLink, conn, forwardingBroker(() => namespaceOf(conn, undefined).broker), log);
      return inLink.accept({ source: echo.source, target: { coordinator: true } });
    }
    if (parsed.kind === 'cbs') {
      serveCbs(
        { conn, link: inLink, log },
        (token) => {
          const ns = namespaceOf(conn, tokenKeyName(token));
          return { auth: ns.auth, accepted: () => (conn.namespace ??= ns) };
        },
        now,
      );
      return inLink.accept({ ...echo, maxMessageSize: CBS_MAX_MESSAGE_SIZE });
    }
    if (parsed.kind === 'management') {
      return authorize(conn, inLink, address, ['Listen', 'Send', 'Manage'], () => {
        serveManagement({ conn, link: inLink, log }, broker, withoutTransfer(parsed.entityPath), `${parsed.entityPath}/$management`);
        gateDelays(inLink, 'management', withoutTransfer(parsed.entityPath), ns.delayFor, log);
        inLink.accept({ ...echo, maxMessageSize: MANAGEMENT_MAX_MESSAGE_SIZE });
      });
    }
    const path = parsed.entityPath;
    if (broker.entityKind(path) === undefined) return inLink.refuse(toAmqpError(errors.entityNotFound(path), host));
    // Send via: the link is attached to the via entity and its messages go on to the destination.
    const destination = remote.properties[TRANSFER_DESTINATION];
    if (typeof destination === 'string' && destination !== '') {
      const to = stripToPath(destination);
      if (broker.entityKind(to) === undefined) return inLink.refuse(toAmqpError(errors.entityNotFound(to), host));
      return authorize(conn, inLink, address, ['Send'], () =>
        authorize(conn, inLink, destination, ['Send'], () => {
          serveEntitySender(inLink, conn, broker, { path: to, via: path }, log);
          inLink.accept({ ...echo, rcvSettleMode: 0, maxMessageSize: maxMessageSize(broker, to), properties: { [TRANSFER_DESTINATION]: destination } });
        }),
      );
    }
    authorize(conn, inLink, address, ['Send'], () => {
      serveEntitySender(inLink, conn, broker, { path }, log);
      gateDelays(inLink, 'send', path, ns.delayFor, log);
      inLink.accept({ ...echo, rcvSettleMode: 0, maxMessageSize: maxMessageSize(broker, path) });
    });
  }

  function maxMessageSize(broker: BrokerApi, path: string): number {
    try {
      const kind = broker.entityKind(path);
      const props = kind === 'topic' ? broker.getTopic(path).properties : broker.getQueue(path).properties;
      return props.maxMessageSizeInKilobytes * 1024;
    } catch {
      return DEFAULT_MAX_MESSAGE_SIZE;
    }
  }

  // ---- listening ----------------------------------------------------------------------------

  const servers: Server[] = [];
  const listen = (server: Server, port: number) =>
    new Promise<Server>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host, () => {
        server.off('error', reject);
        server.on('error', (err) => logger.error({ err }, 'amqp listener error'));
        resolve(server);
      });
    });

  const plain = await listen(net.createServer((socket) => engine.accept(socket)), options.amqpPort);
  servers.push(plain);
  let amqpsPort: number | undefined;
  if (options.amqpsPort !== null && options.tls) {
    try {
      const secure = tls.createServer({ key: options.tls.key, cert: options.tls.cert }, (socket) => engine.accept(socket));
      // A failed handshake is that client's problem only.
      secure.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'TLS handshake failed'));
      await listen(secure, options.amqpsPort);
      servers.push(secure);
      amqpsPort = (secure.address() as AddressInfo).port;
    } catch (e) {
      plain.close();
      throw e;
    }
  }

  let closed = false;
  return {
    amqpPort: (plain.address() as AddressInfo).port,
    amqpsPort,
    links,
    acceptStream(stream) {
      if (closed) stream.destroy();
      else engine.accept(stream);
    },
    async close() {
      closed = true;
      engine.destroyAll();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
