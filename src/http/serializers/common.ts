/**
 * Shared pieces of the entity descriptions: reading the Atom entry of a PUT, converting element
 * text to typed values, and pieces of responses (timestamps, CountDetails, ForwardTo addresses).
 */
import { type EntityKind, propertiesOf, type PropertyDef, READ_ONLY, STATUSES } from '../../broker/propertyCatalogue.js';
import type { CountDetails } from '../../broker/types.js';
import { DurationError, parseDuration } from '../duration.js';
import { HttpError } from '../errors.js';
import { ATTR, NS_SB_COUNTS, TEXT, childKeys, isXmlObject, textOf, type XmlObject, type XmlValue } from '../xml.js';

/** The description element inside `<entry><content>` of a PUT body, and its name. */
export function readEntryContent(doc: XmlObject, expected: readonly string[]): { root: string; el: XmlObject } {
  const roots = childKeys(doc);
  const entry = doc.entry;
  if (roots.length !== 1 || entry === undefined) {
    throw new HttpError(400, `The request body must be an Atom <entry>; found <${roots[0] ?? 'nothing'}>.`);
  }
  if (!isXmlObject(entry)) throw new HttpError(400, 'The Atom <entry> has no <content>.');
  const content = entry.content;
  if (content === undefined || !isXmlObject(content)) throw new HttpError(400, 'The Atom <entry> has no <content> element with a description.');
  const kids = childKeys(content);
  if (kids.length !== 1 || kids[0] === TEXT) {
    throw new HttpError(400, `The Atom <content> must hold exactly one of ${expected.join(', ')}.`);
  }
  const root = kids[0]!;
  if (!expected.includes(root)) throw new HttpError(400, `Unexpected <${root}> in the request body: expected ${expected.join(' or ')}.`);
  const el = content[root]!;
  if (el === '') return { root, el: {} };
  if (!isXmlObject(el)) throw new HttpError(400, `The <${root}> element is malformed.`);
  return { root, el };
}

export type FieldKind = 'duration' | 'int' | 'bool' | 'string' | 'status' | 'entityRef';

export interface FieldSpec {
  /** Element name. */
  xml: string;
  /** Property of the broker's properties type. */
  prop: string;
  kind: FieldKind;
}

const FIELD_KIND: Record<PropertyDef['type'], FieldKind | undefined> = {
  boolean: 'bool',
  duration: 'duration',
  integer: 'int',
  string: 'string',
  entityName: 'entityRef',
  status: 'status',
  authorizationRules: undefined,
};

/** The settable elements of a description, from the property catalogue. */
export const fieldsOf = (kind: EntityKind): FieldSpec[] =>
  propertiesOf(kind).flatMap((p) => {
    const k = FIELD_KIND[p.type];
    return k === undefined || p.apart ? [] : [{ xml: p.azure, prop: p.field, kind: k }];
  });

/**
 * Elements accepted but ignored when a client echoes them back: the read-only ones, and those
 * read apart (AuthorizationRules, by serializers/authorizationRules.ts).
 */
export const ignoredOf = (kind: EntityKind, ...extra: string[]): ReadonlySet<string> =>
  new Set([...READ_ONLY[kind], ...propertiesOf(kind).filter((p) => p.apart).map((p) => p.azure), ...extra]);

/** Optional properties that an update without the element clears, as a full PUT does on Azure. */
export const clearableOf = (kind: EntityKind): readonly string[] => propertiesOf(kind).filter((p) => p.clearable).map((p) => p.field);

function convert(kind: FieldKind, raw: string, where: string): unknown {
  const t = raw.trim();
  switch (kind) {
    case 'string':
      return raw;
    case 'duration':
      try {
        return parseDuration(t);
      } catch (e) {
        if (e instanceof DurationError) throw new HttpError(400, `${where}: '${t}' is not a valid ISO 8601 duration (${e.message}).`);
        throw e;
      }
    case 'int': {
      if (!/^[+-]?\d{1,15}$/.test(t)) throw new HttpError(400, `${where}: '${t}' is not an integer.`);
      return Number(t);
    }
    case 'bool': {
      const l = t.toLowerCase();
      if (l === 'true') return true;
      if (l === 'false') return false;
      throw new HttpError(400, `${where}: '${t}' is not a boolean (true or false).`);
    }
    case 'status': {
      const s = STATUSES.find((x) => x.toLowerCase() === t.toLowerCase());
      if (!s) throw new HttpError(400, `${where}: '${t}' is not a valid status (${STATUSES.join(', ')}).`);
      return s;
    }
    case 'entityRef':
      return entityRef(t);
  }
}

/** `sb://host:port/q2` (as the SDK sends ForwardTo) or `q2` -> `q2`; empty -> undefined. */
export function entityRef(text: string): string | undefined {
  const bare = text.trim().replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\/?/i, '').replace(/^\/+/, '');
  return bare === '' ? undefined : bare;
}

/**
 * Converts a description's elements to properties: settable fields by `fields`, elements in
 * `ignored` (read-only ones clients echo back, such as CreatedAt or CountDetails) skipped,
 * anything else a 400.
 */
export function readFields(el: XmlObject, root: string, fields: readonly FieldSpec[], ignored: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of childKeys(el)) {
    if (key === TEXT) throw new HttpError(400, `Unexpected text inside <${root}>.`);
    const spec = fields.find((f) => f.xml === key);
    if (spec) {
      out[spec.prop] = convert(spec.kind, textOf(el[key]!, key), `${root}/${key}`);
    } else if (!ignored.has(key)) {
      throw new HttpError(400, `Unknown element <${key}> in <${root}>.`);
    }
  }
  return out;
}

/** Azure's rendering of "never" (.NET DateTime.MinValue). */
const MIN_DATE = '0001-01-01T00:00:00Z';

export function isoTime(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return MIN_DATE;
  return new Date(ms).toISOString();
}

export const bool = (b: boolean | undefined): string => (b ? 'true' : 'false');

/**
 * `<CountDetails xmlns:d2p1="…"><d2p1:ActiveMessageCount>…` with exactly one attribute, the
 * prefix declaration: the JS SDK (utils.js `getXMLNSPrefix`) throws otherwise.
 */
export function countDetailsXml(c: CountDetails): XmlObject {
  return {
    [`${ATTR}xmlns:d2p1`]: NS_SB_COUNTS,
    'd2p1:ActiveMessageCount': String(c.activeMessageCount),
    'd2p1:DeadLetterMessageCount': String(c.deadLetterMessageCount),
    'd2p1:ScheduledMessageCount': String(c.scheduledMessageCount),
    'd2p1:TransferMessageCount': String(c.transferMessageCount),
    'd2p1:TransferDeadLetterMessageCount': String(c.transferDeadLetterMessageCount),
  };
}

/** Adds `key: value` only when value is defined (absent elements read as undefined in the SDK). */
export function optional(target: XmlObject, key: string, value: XmlValue | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** A ForwardTo-style value in a response: the target's sb:// address, as Azure writes it. */
export function forwardAddress(sbBase: string, target: string | undefined): string | undefined {
  return target === undefined ? undefined : sbBase + target;
}
