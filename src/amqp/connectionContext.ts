/**
 * What the emulator keeps per AMQP connection: its logger, the CBS grants that authorize its
 * links, its reply links, and the link handlers to tear down when it goes away.
 */
import type { Logger } from 'pino';
import type { AccessRight } from '../auth/types.js';
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

export class ConnectionContext {
  private readonly grants: Grant[] = [];
  readonly handlers = new Set<LinkHandler>();
  readonly replyLinks = new Set<ReplyLink>();
  disposed = false;

  constructor(
    readonly id: string,
    readonly log: Logger,
    private readonly now: () => number,
  ) {}

  addGrant(grant: Grant): void {
    // A renewed token for the same audience replaces the old one.
    const i = this.grants.findIndex((g) => g.audience.toLowerCase() === grant.audience.toLowerCase());
    if (i >= 0) this.grants.splice(i, 1);
    this.grants.push(grant);
  }

  /** Whether an unexpired token covers `path` with `right` (Manage implies Send and Listen). */
  isAuthorized(path: string, right: AccessRight): boolean {
    const now = this.now();
    return this.grants.some(
      (g) => g.expiresAtMs > now && (g.rights.includes(right) || g.rights.includes('Manage')) && audienceCovers(g.audience, path),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const h of this.handlers) h.dispose();
    this.handlers.clear();
    this.replyLinks.clear();
  }
}
