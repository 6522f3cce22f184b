/**
 * `<AuthorizationRules>` of a QueueDescription or TopicDescription: the entity-level SAS
 * policies. The element shape is the one the SDKs write and read (JS buildRawAuthorizationRule,
 * Python's generated AuthorizationRule model, Java's AuthorizationRuleImpl, Go's atom models):
 *
 *   <AuthorizationRules>
 *     <AuthorizationRule i:type="SharedAccessAuthorizationRule">
 *       <ClaimType>SharedAccessKey</ClaimType><ClaimValue>None</ClaimValue>
 *       <Rights><AccessRights>Listen</AccessRights><AccessRights>Send</AccessRights></Rights>
 *       <CreatedTime>…</CreatedTime><ModifiedTime>…</ModifiedTime>
 *       <KeyName>…</KeyName><PrimaryKey>…</PrimaryKey><SecondaryKey>…</SecondaryKey>
 *     </AuthorizationRule>
 *   </AuthorizationRules>
 */
import { AuthorizationRuleError, completeRules, type AuthorizationRuleInput } from '../../auth/entityRules.js';
import type { AccessRight } from '../../auth/types.js';
import type { AuthorizationRule } from '../../broker/types.js';
import { HttpError } from '../errors.js';
import { ATTR, childKeys, isXmlObject, textOf, typeAttr, type XmlObject, type XmlValue } from '../xml.js';
import { isoTime } from './common.js';

const RULE_TYPE = 'SharedAccessAuthorizationRule';
const RIGHTS: readonly AccessRight[] = ['Manage', 'Send', 'Listen'];
/** Elements of a rule that are the service's to set: read back from a GET, ignored on PUT. */
const READ_ONLY = new Set(['ClaimType', 'ClaimValue', 'CreatedTime', 'ModifiedTime', 'Revision']);

const asList = (v: XmlValue | undefined): XmlValue[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function readRights(v: XmlValue | undefined, where: string): AccessRight[] {
  if (v === undefined || typeof v === 'string') return [];
  if (!isXmlObject(v)) throw new HttpError(400, `${where}: <Rights> appears more than once.`);
  return asList(v.AccessRights).map((r) => {
    const text = textOf(r, 'AccessRights').trim();
    const right = RIGHTS.find((x) => x.toLowerCase() === text.toLowerCase());
    if (!right) throw new HttpError(400, `${where}: '${text}' is not an access right (Manage, Send or Listen).`);
    return right;
  });
}

function readRule(v: XmlValue, i: number): AuthorizationRuleInput {
  const where = `AuthorizationRule ${i + 1}`;
  if (!isXmlObject(v)) throw new HttpError(400, `${where}: the element is empty.`);
  const type = typeAttr(v);
  // Azure's other rule type (AllowRule, claims of an identity provider) is long retired.
  if (type !== undefined && type !== RULE_TYPE) throw new HttpError(400, `${where}: type '${type}' is not supported; use ${RULE_TYPE}.`);
  const text = (name: string): string | undefined => (v[name] === undefined ? undefined : textOf(v[name]!, name).trim());
  for (const key of childKeys(v)) {
    if (!['KeyName', 'PrimaryKey', 'SecondaryKey', 'Rights', ...READ_ONLY].includes(key)) {
      throw new HttpError(400, `${where}: unknown element <${key}>.`);
    }
  }
  return {
    keyName: text('KeyName') ?? '',
    primaryKey: text('PrimaryKey'),
    secondaryKey: text('SecondaryKey'),
    rights: readRights(v.Rights, where),
  };
}

/** The rules of a PUT body; undefined when the description has no `<AuthorizationRules>`. */
export function readAuthorizationRules(el: XmlObject): AuthorizationRuleInput[] | undefined {
  const v = el.AuthorizationRules;
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [];
  if (!isXmlObject(v)) throw new HttpError(400, 'The element <AuthorizationRules> appears more than once.');
  for (const key of childKeys(v)) {
    if (key !== 'AuthorizationRule') throw new HttpError(400, `Unexpected <${key}> in <AuthorizationRules>.`);
  }
  return asList(v.AuthorizationRule).map(readRule);
}

/**
 * The rules to store for a PUT: completed against the entity's current ones (an update replaces
 * the whole description, so a body without the element leaves the entity without rules).
 */
export function authorizationRulesFor(el: XmlObject, previous: readonly AuthorizationRule[], nowMs: number): AuthorizationRule[] {
  try {
    return completeRules(readAuthorizationRules(el) ?? [], previous, nowMs);
  } catch (e) {
    if (e instanceof AuthorizationRuleError) throw new HttpError(400, e.message);
    throw e;
  }
}

/** The element of a response: empty (`<AuthorizationRules/>`, as Azure writes it) or the rules. */
export function authorizationRulesXml(rules: readonly AuthorizationRule[]): XmlValue {
  if (rules.length === 0) return '';
  return {
    AuthorizationRule: rules.map((r) => ({
      [`${ATTR}i:type`]: RULE_TYPE,
      ClaimType: 'SharedAccessKey',
      ClaimValue: 'None',
      Rights: { AccessRights: [...r.rights] },
      CreatedTime: isoTime(r.createdAt),
      ModifiedTime: isoTime(r.modifiedAt),
      KeyName: r.keyName,
      PrimaryKey: r.primaryKey,
      SecondaryKey: r.secondaryKey,
    })),
  };
}
