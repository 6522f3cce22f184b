/**
 * What the emulator keeps per AMQP connection: its logger, the grants that authorize its links
 * (from CBS tokens or SASL PLAIN credentials), the links each grant keeps attached, its reply
 * links, and the link handlers to tear down when it goes away.
 */
import type { Logger } from 'pino';
import type { AccessRight } from '../auth/types.js';
import type { NamespaceBinding } from '../auth/namespace.js';
import { audienceCovers } from '../auth/sas.js';
import type { ReplyLink } from './replies.js';

export interface Grant {
  audience: string;
  expiresAtMs: number;
  rights: AccessRight[];
}

export interface LinkHandler {
  /** The link or its connection is gone: release what it holds. Idempotent. */
  dispose(): void;
}

/** A link that stays attached only while some grant covers it. */
interface Watched {
  path: string;
  rights: AccessRight[];
  expire(description: string): void;
}

/** setTimeout's longest delay; a later expiry is re-armed when it comes. */
const MAX_DELAY = 2 ** 31 - 1;

export class ConnectionContext {
  private readonly grants: Grant[] = [];
  private readonly watched = new Set<Watched>();
  private expiryTimer?: NodeJS.Timeout;
  readonly handlers = new Set<LinkHandler>();
  readonly replyLinks = new Set<ReplyLink>();
  /** A token was accepted or PLAIN credentials were valid at least once. */
  authenticated = false;
  /** The namespace the first accepted token or PLAIN login chose; fixed for the connection's life. */
  namespace: NamespaceBinding | undefined;
  disposed = false;

  constructor(
    readonly id: string,
    readonly log: Logger,
    private readonly now: () => number,
  ) {}

  private readonly grantListeners = new Set<() => void>();

  addGrant(grant: Grant): void {
    // A renewed token for the same audience replaces the old one; links it covered stay.
    const i = this.grants.findIndex((g) => g.audience.toLowerCase() === grant.audience.toLowerCase());
    if (i >= 0) this.grants.splice(i, 1);
    this.grants.push(grant);
    this.authenticated = true;
    this.armExpiry();
    for (const fn of [...this.grantListeners]) fn();
  }

  /** Calls `fn` after each accepted grant until the returned function is called. */
  onGrant(fn: () => void): () => void {
    this.grantListeners.add(fn);
    return () => this.grantListeners.delete(fn);
  }

  /** Whether an unexpired grant covers `path` with `right` (Manage implies Send and Listen). */
  isAuthorized(path: string, right: AccessRight): boolean {
    return this.covering(path, [right]) !== undefined;
  }

  /** Whether an unexpired grant covers `path`, whatever its rights. */
  coversPath(path: string): boolean {
    const now = this.now();
    return this.grants.some((g) => g.expiresAtMs > now && audienceCovers(g.audience, path));
  }

  private covering(path: string, rights: AccessRight[]): Grant | undefined {
    const now = this.now();
    return this.grants.find(
      (g) => g.expiresAtMs > now && rights.some((r) => g.rights.includes(r) || g.rights.includes('Manage')) && audienceCovers(g.audience, path),
    );
  }

  /**
   * Keeps a link attached while a grant covers it: when the grant that let it in lapses without
   * a renewal, `expire` detaches it (Azure drops a connection's links to an entity promptly when
   * their token expires). Returns the function that stops watching.
   */
  watch(path: string, rights: AccessRight[], expire: (description: string) => void): () => void {
    const w: Watched = { path, rights, expire };
    this.watched.add(w);
    return () => this.watched.delete(w);
  }

  private armExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (this.disposed) return;
    const now = this.now();
    const next = Math.min(...this.grants.filter((g) => g.expiresAtMs > now).map((g) => g.expiresAtMs));
    if (!Number.isFinite(next)) return;
    this.expiryTimer = setTimeout(() => this.onExpiry(), Math.min(MAX_DELAY, Math.max(0, next - now) + 1));
    this.expiryTimer.unref();
  }

  private onExpiry(): void {
    const now = this.now();
    const lapsed = this.grants.filter((g) => g.expiresAtMs <= now);
    for (const g of lapsed) this.grants.splice(this.grants.indexOf(g), 1);
    for (const w of [...this.watched]) {
      if (this.covering(w.path, w.rights)) continue;
      const grant = lapsed.find((g) => audienceCovers(g.audience, w.path));
      const when = grant ? new Date(grant.expiresAtMs).toISOString() : 'its expiry';
      this.watched.delete(w);
      this.log.info({ path: w.path, audience: grant?.audience }, 'token expired: link detached');
      try {
        w.expire(`The token for '${grant?.audience ?? w.path}' expired at ${when} and was not renewed; the link is detached.`);
      } catch (err) {
        this.log.error({ err, path: w.path }, 'detaching a link whose token expired failed');
      }
    }
    this.armExpiry();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    for (const h of this.handlers) {
      // Each handler holds something of its own (a receiver, a session lock): free them all.
      try {
        h.dispose();
      } catch (err) {
        this.log.error({ err }, 'a link handler failed to release what it held');
      }
    }
    this.handlers.clear();
    this.replyLinks.clear();
    this.watched.clear();
    this.grantListeners.clear();
  }
}
