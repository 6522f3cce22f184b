/**
 * The entity links of every open connection, by path, for the test control plane: a reset detaches
 * links to entities it removed (amqp:not-found), and a fault drops the connections that have links
 * on an entity. Links leave the table when they go, so it holds only live ones. Each namespace's
 * control plane acts through forNamespace(), on its own clients only.
 */
import type { ConnectionContext } from './connectionContext.js';
import type { Connection, Link } from './engine/index.js';
import type { AmqpError } from './errors.js';

/** The namespace a connection is bound to; '' for the default one (and a connection not bound yet). */
function namespaceOf(connection: Connection): string {
  return (connection.context as ConnectionContext | undefined)?.namespace?.name ?? '';
}

interface Tracked {
  link: Link;
  /** Lower-case entity path the link is on (a DLQ path keeps its suffix). */
  key: string;
}

/** Whether `path` is `entity` itself or something under it (a subscription, a dead-letter queue). */
export function pathIsUnder(path: string, entity: string): boolean {
  const p = path.toLowerCase();
  const e = entity.toLowerCase().replace(/\/+$/, '');
  return p === e || p.startsWith(`${e}/`);
}

export class LinkControl {
  private readonly links = new Set<Tracked>();

  constructor(private readonly connections: () => Iterable<Connection>) {}

  track(link: Link, path: string): void {
    const t: Tracked = { link, key: path.toLowerCase() };
    this.links.add(t);
    link.whenGone(() => this.links.delete(t));
  }

  /** The same surgery, on the connections of one namespace only ('' for the default one). */
  forNamespace(name: string): Pick<LinkControl, 'detachWhere' | 'dropConnections'> {
    return {
      detachWhere: (matches, error) => this.detachWhere(matches, error, name),
      dropConnections: (entity, description) => this.dropConnections(entity, description, name),
    };
  }

  /** Detaches every link whose path `matches` (in namespace `ns`, when given); returns how many. */
  detachWhere(matches: (path: string) => boolean, error: AmqpError, ns?: string): number {
    let n = 0;
    for (const t of [...this.links]) {
      if (!matches(t.key) || (ns !== undefined && namespaceOf(t.link.connection) !== ns)) continue;
      this.links.delete(t);
      t.link.detach(error);
      n++;
    }
    return n;
  }

  /**
   * Closes (amqp:connection:forced, as Azure does when it moves an entity) every connection with a
   * link on `entity`, or every connection; returns how many.
   */
  dropConnections(entity: string | undefined, description: string, ns?: string): number {
    const victims = new Set<Connection>();
    if (entity === undefined) for (const c of this.connections()) victims.add(c);
    else for (const t of this.links) if (pathIsUnder(t.key, entity)) victims.add(t.link.connection);
    if (ns !== undefined) for (const c of victims) if (namespaceOf(c) !== ns) victims.delete(c);
    for (const c of victims) c.closeWith('amqp:connection:forced', description);
    return victims.size;
  }
}
