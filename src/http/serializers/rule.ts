/**
 * RuleDescription <-> RuleFilter / RuleAction (serializers/ruleResourceSerializer.js in the JS SDK).
 *
 * Request: `<Filter i:type="SqlFilter|CorrelationFilter|TrueFilter|FalseFilter">` and
 * `<Action i:type="EmptyRuleAction|SqlRuleAction">`, the type attribute under any prefix bound to
 * XMLSchema-instance (JS uses `p4`); key-value lists are `<KeyValueOfstringanyType><Key>k</Key>
 * <Value i:type="l28:double">5</Value>` with the value's XML Schema type under any prefix.
 *
 * Response, as Azure writes it and as the SDK reads it: the value type attribute literally named
 * `i:type` (the SDK reads `Value.$["i:type"]`) and a four-letter prefix on the type name
 * (`d6p1:string`; the SDK cuts five characters). True and False filters carry their SQL
 * expression (`1=1`, `1=0`), which is all the SDK looks at.
 */
import { CORRELATION_FIELDS as CORRELATION_CATALOGUE } from '../../broker/propertyCatalogue.js';
import type { RuleAction, RuleDescription, RuleFilter } from '../../broker/types.js';
import { HttpError } from '../errors.js';
import { ATTR, NS_SB, NS_XSD, NS_XSI, TEXT, childKeys, isXmlObject, textOf, typeAttr, type XmlObject, type XmlValue } from '../xml.js';
import { formatDuration, parseDuration } from '../duration.js';
import { isoTime } from './common.js';

export const RULE_ROOT = 'RuleDescription';

const CORRELATION_FIELDS = CORRELATION_CATALOGUE.map((f) => [f.azure, f.field] as const);

export interface ParsedRule {
  name?: string;
  filter: RuleFilter;
  action: RuleAction;
}

function children(el: XmlValue | undefined, where: string): XmlObject {
  if (el === undefined || el === '') return {};
  if (!isXmlObject(el)) throw new HttpError(400, `<${where}> is malformed.`);
  return el;
}

function onlyKnown(el: XmlObject, where: string, known: readonly string[]): void {
  for (const k of childKeys(el)) {
    if (!known.includes(k)) throw new HttpError(400, `Unknown element <${k}> in <${where}>.`);
  }
}

const NUMERIC_TYPES = new Set(['int', 'long', 'short', 'byte', 'unsignedInt', 'unsignedLong', 'unsignedShort', 'unsignedByte', 'double', 'float', 'decimal', 'char']);
const WIDE_INTEGER = new Set(['long', 'unsignedLong']);
/** Types of the WCF serialization namespace (.NET's TimeSpan, Guid, char); the rest are XML Schema's. */
const NS_SERIALIZATION = 'http://schemas.microsoft.com/2003/10/Serialization/';
const SERIALIZATION_TYPES = new Set(['duration', 'guid', 'char']);
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** The type a value reads back as when none was declared. */
function inferredType(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 2_147_483_647 ? 'int' : 'double';
  if (typeof v === 'bigint') return 'long';
  if (typeof v === 'boolean') return 'boolean';
  return v instanceof Date ? 'dateTime' : 'string';
}

function readValue(v: XmlValue, where: string): unknown {
  const type = typeAttr(v) ?? 'string';
  const text = textOf(v, where);
  if (type === 'string') return text;
  if (WIDE_INTEGER.has(type) && /^-?[0-9]+$/.test(text.trim())) {
    // Beyond 2^53 a long keeps every digit as a bigint.
    const n = BigInt(text.trim());
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if (type === 'duration') {
    // Kept as .NET writes a TimeSpan (PT60S reads back as PT1M, as on Azure): the form a
    // message's TimeSpan is compared in.
    try {
      return formatDuration(parseDuration(text.trim()));
    } catch {
      throw new HttpError(400, `${where}: '${text}' is not a valid duration.`);
    }
  }
  if (type === 'guid') {
    if (!GUID.test(text.trim())) throw new HttpError(400, `${where}: '${text}' is not a valid guid.`);
    return text.trim();
  }
  if (NUMERIC_TYPES.has(type)) {
    const t = text.trim();
    const n = Number(t);
    if (t === '' || !Number.isFinite(n)) throw new HttpError(400, `${where}: '${t}' is not a valid ${type}.`);
    return n;
  }
  if (type === 'boolean') {
    const t = text.trim().toLowerCase();
    if (t !== 'true' && t !== 'false') throw new HttpError(400, `${where}: '${text}' is not a valid boolean.`);
    return t === 'true';
  }
  if (type === 'dateTime') {
    const d = new Date(text.trim());
    if (Number.isNaN(d.getTime())) throw new HttpError(400, `${where}: '${text}' is not a valid dateTime.`);
    return d;
  }
  throw new HttpError(
    400,
    `${where}: values of type '${type}' are not supported (string, boolean, dateTime, duration, guid, char and the XML Schema numeric types are).`,
  );
}

/** `<Properties>` / `<Parameters>`: a list of KeyValueOfstringanyType; `types` gets each declared type. */
function readKeyValues(el: XmlValue | undefined, where: string, types?: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const list = children(el, where);
  onlyKnown(list, where, ['KeyValueOfstringanyType']);
  const raw = list.KeyValueOfstringanyType;
  if (raw === undefined) return out;
  for (const kv of Array.isArray(raw) ? raw : [raw]) {
    const pair = children(kv, `${where}/KeyValueOfstringanyType`);
    onlyKnown(pair, `${where}/KeyValueOfstringanyType`, ['Key', 'Value']);
    if (pair.Key === undefined || pair.Value === undefined) throw new HttpError(400, `${where}: each KeyValueOfstringanyType needs a Key and a Value.`);
    const key = textOf(pair.Key, `${where}/Key`);
    if (key === '') throw new HttpError(400, `${where}: a Key is empty.`);
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new HttpError(400, `${where}: the key '${key}' appears twice.`);
    out[key] = readValue(pair.Value, `${where}/${key}`);
    const declared = typeAttr(pair.Value) ?? 'string';
    if (types !== undefined && declared !== inferredType(out[key])) types[key] = declared;
  }
  return out;
}

function readSqlExpression(el: XmlObject, where: string): string {
  if (el.SqlExpression === undefined) throw new HttpError(400, `<${where}> needs a <SqlExpression>.`);
  const expr = textOf(el.SqlExpression, `${where}/SqlExpression`).trim();
  if (expr === '') throw new HttpError(400, `<${where}/SqlExpression> is empty.`);
  return expr;
}

export function readFilter(v: XmlValue | undefined, where = 'Filter'): RuleFilter {
  if (v === undefined) return { type: 'true' };
  const el = children(v, where);
  let type = typeAttr(v);
  if (type === undefined) {
    if (el.SqlExpression !== undefined) type = 'SqlFilter';
    else if (CORRELATION_FIELDS.some(([x]) => el[x] !== undefined) || el.Properties !== undefined) type = 'CorrelationFilter';
    else throw new HttpError(400, `<${where}> has no i:type (SqlFilter, CorrelationFilter, TrueFilter or FalseFilter).`);
  }
  switch (type) {
    case 'TrueFilter':
    case 'FalseFilter':
      onlyKnown(el, where, ['SqlExpression', 'CompatibilityLevel', 'Parameters', 'RequiresPreprocessing']);
      return { type: type === 'TrueFilter' ? 'true' : 'false' };
    case 'SqlFilter': {
      onlyKnown(el, where, ['SqlExpression', 'CompatibilityLevel', 'Parameters', 'RequiresPreprocessing']);
      const expression = readSqlExpression(el, where);
      const parameters = readKeyValues(el.Parameters, `${where}/Parameters`);
      return Object.keys(parameters).length > 0 ? { type: 'sql', expression, parameters } : { type: 'sql', expression };
    }
    case 'CorrelationFilter': {
      onlyKnown(el, where, [...CORRELATION_FIELDS.map(([x]) => x), 'Properties']);
      const types: Record<string, string> = {};
      const f: RuleFilter = { type: 'correlation', properties: readKeyValues(el.Properties, `${where}/Properties`, types) };
      if (Object.keys(types).length > 0) f.propertyTypes = types;
      for (const [xml, prop] of CORRELATION_FIELDS) {
        if (el[xml] !== undefined) f[prop] = textOf(el[xml], `${where}/${xml}`);
      }
      return f;
    }
    default:
      throw new HttpError(400, `<${where}> has an unknown type '${type}' (SqlFilter, CorrelationFilter, TrueFilter or FalseFilter).`);
  }
}

export function readAction(v: XmlValue | undefined, where = 'Action'): RuleAction {
  if (v === undefined) return { type: 'empty' };
  const el = children(v, where);
  const type = typeAttr(v) ?? (el.SqlExpression !== undefined ? 'SqlRuleAction' : 'EmptyRuleAction');
  switch (type) {
    case 'EmptyRuleAction':
      onlyKnown(el, where, []);
      return { type: 'empty' };
    case 'SqlRuleAction': {
      onlyKnown(el, where, ['SqlExpression', 'CompatibilityLevel', 'Parameters', 'RequiresPreprocessing']);
      const expression = readSqlExpression(el, where);
      if (Object.keys(readKeyValues(el.Parameters, `${where}/Parameters`)).length > 0) {
        throw new HttpError(501, `<${where}/Parameters>: parameters of SQL rule actions are not supported by the emulator.`);
      }
      return { type: 'sql', expression };
    }
    default:
      throw new HttpError(400, `<${where}> has an unknown type '${type}' (EmptyRuleAction or SqlRuleAction).`);
  }
}

/** A `<RuleDescription>` (rule PUT) or `<DefaultRuleDescription>` (inside a subscription PUT). */
export function readRule(el: XmlObject, root = RULE_ROOT): ParsedRule {
  onlyKnown(el, root, ['Filter', 'Action', 'Name', 'CreatedAt']);
  const rule: ParsedRule = { filter: readFilter(el.Filter, `${root}/Filter`), action: readAction(el.Action, `${root}/Action`) };
  if (el.Name !== undefined) {
    const name = textOf(el.Name, `${root}/Name`).trim();
    if (name !== '') rule.name = name;
  }
  return rule;
}

function valueXml(v: unknown, declared?: string): XmlObject {
  let type: string;
  let text: string;
  if (declared !== undefined) {
    type = declared;
    text = v instanceof Date ? v.toISOString() : String(v);
    const ns = SERIALIZATION_TYPES.has(type) ? NS_SERIALIZATION : NS_XSD;
    return { [`${ATTR}i:type`]: `d6p1:${type}`, [`${ATTR}xmlns:d6p1`]: ns, [TEXT]: text };
  }
  if (typeof v === 'string') [type, text] = ['string', v];
  else if (typeof v === 'boolean') [type, text] = ['boolean', String(v)];
  else if (typeof v === 'number' || typeof v === 'bigint') [type, text] = [inferredType(v), String(v)];
  else if (v instanceof Date) [type, text] = ['dateTime', v.toISOString()];
  else [type, text] = ['string', v === null || v === undefined ? '' : String(v)];
  return { [`${ATTR}i:type`]: `d6p1:${type}`, [`${ATTR}xmlns:d6p1`]: NS_XSD, [TEXT]: text };
}

function keyValuesXml(rec: Record<string, unknown> | undefined, types?: Record<string, string>): XmlValue {
  const entries = Object.entries(rec ?? {});
  if (entries.length === 0) return '';
  return { KeyValueOfstringanyType: entries.map(([k, v]) => ({ Key: k, Value: valueXml(v, types?.[k]) })) };
}

function filterXml(f: RuleFilter): XmlObject {
  switch (f.type) {
    case 'true':
      return { [`${ATTR}i:type`]: 'TrueFilter', SqlExpression: '1=1', CompatibilityLevel: '20' };
    case 'false':
      return { [`${ATTR}i:type`]: 'FalseFilter', SqlExpression: '1=0', CompatibilityLevel: '20' };
    case 'sql': {
      const x: XmlObject = { [`${ATTR}i:type`]: 'SqlFilter', SqlExpression: f.expression, CompatibilityLevel: '20' };
      if (f.parameters && Object.keys(f.parameters).length > 0) x.Parameters = keyValuesXml(f.parameters);
      return x;
    }
    case 'correlation': {
      const x: XmlObject = { [`${ATTR}i:type`]: 'CorrelationFilter' };
      for (const [xml, prop] of CORRELATION_FIELDS) {
        const v = f[prop];
        if (v !== undefined) x[xml] = v;
      }
      x.Properties = keyValuesXml(f.properties, f.propertyTypes);
      return x;
    }
  }
}

function actionXml(a: RuleAction): XmlObject {
  if (a.type === 'sql') return { [`${ATTR}i:type`]: 'SqlRuleAction', SqlExpression: a.expression, CompatibilityLevel: '20' };
  return { [`${ATTR}i:type`]: 'EmptyRuleAction' };
}

export function ruleXml(r: RuleDescription): XmlObject {
  return {
    [`${ATTR}xmlns`]: NS_SB,
    [`${ATTR}xmlns:i`]: NS_XSI,
    Filter: filterXml(r.filter),
    Action: actionXml(r.action),
    CreatedAt: isoTime(r.createdAt),
    Name: r.name,
  };
}
