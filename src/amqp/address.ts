/**
 * Link addresses as clients write them, reduced to broker paths. JS sends bare paths
 * (`q1`, `t/Subscriptions/s/$management`); Python sends full URIs (`amqps://host:port/q1`).
 */

export type NodeKind = 'entity' | 'management' | 'cbs';

export interface ParsedAddress {
  kind: NodeKind;
  /** Broker path (no scheme, host, leading slash or `/$management`); '' for `$cbs`. */
  entityPath: string;
}

const SCHEME_AND_HOST = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i;

export function stripToPath(address: string): string {
  let path = address.replace(SCHEME_AND_HOST, '');
  // Queries never belong to a Service Bus node name.
  const q = path.indexOf('?');
  if (q >= 0) path = path.slice(0, q);
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

export function parseAddress(address: string): ParsedAddress {
  const path = stripToPath(address);
  if (path.toLowerCase() === '$cbs') return { kind: 'cbs', entityPath: '' };
  const m = /^(.*)\/\$management$/i.exec(path);
  if (m) return { kind: 'management', entityPath: m[1]! };
  return { kind: 'entity', entityPath: path };
}

/** True when the path addresses a dead-letter subqueue. */
export const isDeadLetterPath = (path: string): boolean => /\/\$deadletterqueue$/i.test(path);

/** `q/$Transfer/$DeadLetterQueue` has no transfer queue here: it behaves like the entity's DLQ. */
export const withoutTransfer = (path: string): string => path.replace(/\/\$transfer(?=\/\$deadletterqueue$)/i, '');
