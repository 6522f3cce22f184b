/**
 * Atom envelopes of the admin API: `<entry>` around one description, `<feed>` around a page of
 * entries, with the ids the SDKs read names from.
 *
 * - JS takes names from the `<id>` URL path (atomXmlHelper.js `setName`): `…/{queue}`,
 *   `…/{topic}/Subscriptions/{sub}`, `…/Rules/{rule}`. Python reads `<title>`.
 * - JS pages through `<link rel="next" href="…$skip=N…">`, but only looks for it when the feed has
 *   several `<link>`s (it expects an array), so a next link always comes with the self link.
 */
import type { FastifyRequest } from 'fastify';
import { requestHost } from './paths.js';
import { ATTR, NS_ATOM, buildXml, type XmlObject } from './xml.js';
import { isoTime } from './serializers/common.js';

export const API_VERSION = '2021-05';
export const ENTRY_CONTENT_TYPE = 'application/atom+xml;type=entry;charset=utf-8';
export const FEED_CONTENT_TYPE = 'application/atom+xml;type=feed;charset=utf-8';
/** Page size when the client gives no `$top` (Azure's). */
export const DEFAULT_PAGE_SIZE = 100;

export interface Base {
  /** `https://host:port` (the scheme of the request), for ids and links. */
  http: string;
  /** `sb://host:port/`, the prefix of ForwardTo values. */
  sb: string;
  /** Host name without port: the namespace's name and the entries' author. */
  hostname: string;
}

export function baseOf(request: FastifyRequest): Base {
  const host = requestHost(request.headers.host);
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? 'localhost');
  return { http: `${request.protocol}://${host}`, sb: `sb://${host}/`, hostname: hostname || 'localhost' };
}

export interface EntryInput {
  /** Path of the resource, e.g. `t1/Subscriptions/s1`. */
  path: string;
  title: string;
  root: string;
  description: XmlObject;
  createdAt?: number;
  updatedAt?: number;
}

function entryObject(base: Base, e: EntryInput, withNamespace: boolean): XmlObject {
  const url = `${base.http}/${e.path}?api-version=${API_VERSION}`;
  const entry: XmlObject = {};
  if (withNamespace) entry[`${ATTR}xmlns`] = NS_ATOM;
  Object.assign(entry, {
    id: url,
    title: { [`${ATTR}type`]: 'text', '#text': e.title },
    published: isoTime(e.createdAt),
    updated: isoTime(e.updatedAt ?? e.createdAt),
    author: { name: base.hostname },
    link: { [`${ATTR}rel`]: 'self', [`${ATTR}href`]: url },
    content: { [`${ATTR}type`]: 'application/xml', [e.root]: e.description },
  });
  return entry;
}

export function entryXml(base: Base, e: EntryInput): string {
  return buildXml({ entry: entryObject(base, e, true) });
}

export interface Page<T> {
  items: T[];
  skip: number;
  top: number;
  /** `$skip` of the next page, when there is one. */
  nextSkip?: number;
}

/** `$skip` / `$top` over a list already in its listing order. */
export function paginate<T>(all: readonly T[], skip: number | undefined, top: number | undefined): Page<T> {
  const s = Math.max(0, skip ?? 0);
  const t = Math.max(0, top ?? DEFAULT_PAGE_SIZE);
  const items = all.slice(s, s + t);
  const page: Page<T> = { items, skip: s, top: t };
  if (items.length > 0 && s + items.length < all.length) page.nextSkip = s + items.length;
  return page;
}

export function feedXml(base: Base, feedPath: string, title: string, page: Page<EntryInput>, now: number): string {
  const self = `${base.http}/${feedPath}?api-version=${API_VERSION}`;
  const links: XmlObject[] = [{ [`${ATTR}rel`]: 'self', [`${ATTR}href`]: self }];
  if (page.nextSkip !== undefined) {
    links.push({
      [`${ATTR}rel`]: 'next',
      [`${ATTR}href`]: `${base.http}/${feedPath}?api-version=${API_VERSION}&$skip=${page.nextSkip}&$top=${page.top}`,
    });
  }
  const feed: XmlObject = {
    [`${ATTR}xmlns`]: NS_ATOM,
    title: { [`${ATTR}type`]: 'text', '#text': title },
    id: self,
    updated: isoTime(now),
    link: links,
  };
  if (page.items.length > 0) feed.entry = page.items.map((e) => entryObject(base, e, false));
  return buildXml({ feed });
}

/** Listing order: by name, case-insensitively (stable pages for `$skip`). */
export const byName = <T extends { name: string }>(a: T, b: T): number => {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};
