/**
 * A description in a response, written from its kind's table: the elements in Azure's order,
 * each either a settable property, written from the property catalogue by its type, or a
 * read-only element with the value the serializer gives it. An element whose value is undefined
 * is left out, as Azure leaves out an optional property that is not set.
 */
import { type EntityKind, PROPERTIES, type PropertyDef } from '../../broker/propertyCatalogue.js';
import type { AuthorizationRule, EntityTimes } from '../../broker/types.js';
import { formatDuration } from '../duration.js';
import { ATTR, NS_SB, NS_XSI, type XmlObject, type XmlValue } from '../xml.js';
import { authorizationRulesXml } from './authorizationRules.js';
import { bool, forwardAddress, isoTime, optional } from './common.js';

/** A settable element by its name, or a read-only one with its value. */
export type Element = string | readonly [name: string, value: XmlValue | undefined];

const byElement: ReadonlyMap<string, PropertyDef> = new Map(PROPERTIES.map((p) => [p.azure, p]));

function settableXml(def: PropertyDef, v: unknown, sbBase: string): XmlValue | undefined {
  switch (def.type) {
    case 'boolean':
      return bool(v as boolean);
    case 'duration':
      return formatDuration(v as number);
    case 'integer':
      return String(v);
    case 'status':
    case 'string':
      return v as string | undefined;
    case 'entityName':
      return forwardAddress(sbBase, v as string | undefined);
    case 'authorizationRules':
      return authorizationRulesXml(v as readonly AuthorizationRule[]);
  }
}

/** `sbBase` is `sb://host[:port]/`, the prefix of ForwardTo values in responses (as Azure writes them). */
export function descriptionXml(kind: EntityKind, properties: object, sbBase: string, elements: readonly Element[]): XmlObject {
  const values = properties as Record<string, unknown>;
  const x: XmlObject = { [`${ATTR}xmlns`]: NS_SB, [`${ATTR}xmlns:i`]: NS_XSI };
  for (const e of elements) {
    if (typeof e !== 'string') {
      optional(x, e[0], e[1]);
      continue;
    }
    const def = byElement.get(e);
    if (def === undefined || !def.kinds.includes(kind)) throw new Error(`<${e}> is not a settable ${kind} property.`);
    optional(x, e, settableXml(def, values[def.field], sbBase));
  }
  return x;
}

/** An entity's times, as the three elements Azure writes one after the other. */
export const timeElements = (t: EntityTimes): Element[] => [
  ['CreatedAt', isoTime(t.createdAt)],
  ['UpdatedAt', isoTime(t.updatedAt)],
  ['AccessedAt', isoTime(t.accessedAt)],
];
