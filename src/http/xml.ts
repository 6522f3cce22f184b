/**
 * XML in and out of the admin API, with fast-xml-parser.
 *
 * Parsing drops namespace prefixes (removeNSPrefix): clients bind the XMLSchema-instance namespace
 * to whatever prefix they like (`i:type`, JS writes `p4:type`, Python `ns1:type`), so `type`
 * attributes are read by local name. Element names are read by local name too.
 *
 * Building writes compact XML (no whitespace between elements): @azure/core-xml parses responses
 * with trimValues:false, so indentation would turn into text nodes that the SDK mistakes for
 * content elements.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { HttpError } from './errors.js';

export const NS_ATOM = 'http://www.w3.org/2005/Atom';
export const NS_SB = 'http://schemas.microsoft.com/netservices/2010/10/servicebus/connect';
export const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';
export const NS_XSD = 'http://www.w3.org/2001/XMLSchema';
export const NS_SB_COUNTS = 'http://schemas.microsoft.com/netservices/2011/06/servicebus';

/** Attribute keys in parsed and built objects start with this. */
export const ATTR = '@_';
/** Text content of an element that also has attributes. */
export const TEXT = '#text';

/** A parsed element: text, or an object of children and attributes. */
export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
  commentPropName: false,
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  format: false,
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  processEntities: true,
});

/** Parses a request body; malformed XML and DTDs (entity expansion) are a 400. */
export function parseXml(text: string): XmlObject {
  if (typeof text !== 'string' || text.trim() === '') throw new HttpError(400, 'The request body is empty; an Atom entry was expected.');
  if (/<!DOCTYPE/i.test(text)) throw new HttpError(400, 'Document type declarations are not allowed in the request body.');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new HttpError(400, `The request body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col}).`);
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (e) {
    // fast-xml-parser refuses names such as __proto__ and constructor (prototype pollution).
    throw new HttpError(400, `The request body cannot be read: ${(e as Error).message}.`);
  }
  if (parsed === null || typeof parsed !== 'object') throw new HttpError(400, 'The request body is not an XML document.');
  return parsed as XmlObject;
}

/** Serializes an object tree (attributes under `@_name`, text under `#text`) with an XML declaration. */
export function buildXml(tree: XmlObject): string {
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build(tree) as string}`;
}

/** Child element keys of a parsed element: attributes and whitespace-only text skipped. */
export function childKeys(el: XmlObject): string[] {
  return Object.keys(el).filter((k) => !k.startsWith(ATTR) && !(k === TEXT && String(el[k]).trim() === ''));
}

export function isXmlObject(v: XmlValue | undefined): v is XmlObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The text of a simple element: `<A>x</A>` -> 'x', `<A/>` -> '', `<A i:type="..">x</A>` -> 'x'.
 * Elements with children, or repeated elements, are a 400 naming `name`.
 */
export function textOf(v: XmlValue, name: string): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) throw new HttpError(400, `The element '${name}' appears more than once.`);
  const kids = childKeys(v).filter((k) => k !== TEXT);
  if (kids.length > 0) throw new HttpError(400, `The element '${name}' must contain text, not elements (found '${kids[0]}').`);
  const t = v[TEXT];
  return typeof t === 'string' ? t : '';
}

/** The local name of an `xsi:type` value or attribute (`p4:SqlFilter` -> `SqlFilter`). */
export function typeAttr(el: XmlValue): string | undefined {
  if (!isXmlObject(el)) return undefined;
  const t = el[`${ATTR}type`];
  if (typeof t !== 'string') return undefined;
  return t.slice(t.lastIndexOf(':') + 1).trim();
}
