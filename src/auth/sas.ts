/**
 * Shared Access Signature tokens, the credential Service Bus clients present: validated for CBS
 * put-token (AMQP), for the admin API's `Authorization` header (HTTP) and as SASL PLAIN
 * credentials; a generator for tests. A token is signed with a namespace policy's key, or with
 * the primary or secondary key of a policy of the queue or topic its audience names (then it
 * covers that entity only).
 *
 * Formats seen in the wild, all accepted:
 * - JS AMQP:  `SharedAccessSignature sr=<encodeURIComponent(aud)>&sig=<encodeURIComponent(b64)>&se=<s>&skn=<name>`
 * - Python:   `SharedAccessSignature sr=<quote_plus(aud)>&sig=<quote_plus(b64)>&se=<s>&skn=<name>`
 * - JS admin: `SharedAccessSignature sig=<raw b64>&se=<s>&skn=<raw name>&sr=<encodeURIComponent(url.toLowerCase()).toLowerCase()>`
 *
 * The signature covers the *raw* (still encoded) `sr` text, so each client's own encoding does not
 * matter: HMAC-SHA256 keyed with the UTF-8 bytes of the key string (not base64-decoded) over
 * `raw_sr + "\n" + raw_se`. `sig` is percent-decoded without turning `+` into a space (the JS
 * admin client sends the base64 unencoded, `+` included).
 *
 * `jwt` / `Bearer` tokens are the caller's business (AuthConfig.acceptJwt).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AccessRight, AuthConfig } from './types.js';

export type SasValidation =
  /** `entity`: the queue or topic whose own policy signed the token. */
  | { ok: true; keyName: string; audience: string; expiresAtMs: number; rights: AccessRight[]; entity?: string }
  | { ok: false; reason: string };

const PREFIX = 'SharedAccessSignature';

/** decodeURIComponent that returns undefined instead of throwing on malformed escapes. */
function tryDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function sign(key: string, stringToSign: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(stringToSign, 'utf8').digest('base64');
}

/** The names `skn` may stand for: clients percent-encode it, Python's urlencode writes a space as '+'. */
function nameCandidates(rawSkn: string): Set<string> {
  const candidates = new Set<string>();
  const decoded = tryDecode(rawSkn);
  if (decoded !== undefined) candidates.add(decoded);
  const plusDecoded = tryDecode(rawSkn.replace(/\+/g, ' '));
  if (plusDecoded !== undefined) candidates.add(plusDecoded);
  candidates.add(rawSkn);
  return candidates;
}

/** A policy a token may be signed with: one key for a namespace policy, primary and secondary for an entity's. */
interface Signer {
  name: string;
  keys: readonly string[];
  rights: readonly AccessRight[];
  /** Set for an entity-level policy: the queue or topic it belongs to. */
  entity?: string;
}

/**
 * The policies named `skn`: the namespace's, then those of the entity the audience is in (an
 * entity policy signs tokens for its own entity only, so a namespace-wide audience finds none).
 */
function signersFor(auth: AuthConfig, rawSkn: string, audience: string): Signer[] {
  const names = nameCandidates(rawSkn);
  const found: Signer[] = auth.keys.filter((k) => names.has(k.name)).map((k) => ({ name: k.name, keys: [k.key], rights: k.rights }));
  const path = pathSegments(audience).join('/');
  const entity = path === '' ? undefined : auth.entityPolicies?.of(path);
  for (const p of entity?.policies ?? []) {
    if (names.has(p.name)) found.push({ name: p.name, keys: p.keys, rights: p.rights, entity: entity!.entity });
  }
  return found;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Validates a SAS token string (with or without the `SharedAccessSignature ` prefix being
 * followed by extra spaces). Never throws.
 */
export function validateSasToken(token: string, auth: AuthConfig, nowMs: number): SasValidation {
  if (typeof token !== 'string') return { ok: false, reason: 'The token is not a string.' };
  const trimmed = token.trim();
  if (!trimmed.startsWith(PREFIX) || !/\s/.test(trimmed.charAt(PREFIX.length))) {
    return { ok: false, reason: `The token does not start with '${PREFIX} '.` };
  }
  const body = trimmed.slice(PREFIX.length).trim();
  const fields = new Map<string, string>();
  for (const part of body.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, reason: `Malformed token field '${part.slice(0, 20)}'.` };
    const name = part.slice(0, eq).trim().toLowerCase();
    if (fields.has(name)) return { ok: false, reason: `Duplicate token field '${name}'.` };
    fields.set(name, part.slice(eq + 1));
  }
  const rawSr = fields.get('sr');
  const rawSig = fields.get('sig');
  const rawSe = fields.get('se');
  const rawSkn = fields.get('skn');
  if (rawSr === undefined || rawSig === undefined || rawSe === undefined || rawSkn === undefined) {
    const missing = ['sr', 'sig', 'se', 'skn'].filter((f) => !fields.has(f));
    return { ok: false, reason: `The token lacks ${missing.join(', ')}.` };
  }
  if (!/^\d{1,15}$/.test(rawSe)) return { ok: false, reason: `The token expiry 'se=${rawSe.slice(0, 20)}' is not a number of seconds.` };

  // quote_plus writes spaces as '+'; encodeURIComponent never leaves a literal '+'.
  const audience = tryDecode(rawSr.replace(/\+/g, ' ')) ?? rawSr;
  const signers = signersFor(auth, rawSkn, audience);
  if (signers.length === 0) return { ok: false, reason: `Unknown shared access key name '${tryDecode(rawSkn) ?? rawSkn}'.` };

  const actual = tryDecode(rawSig) ?? rawSig;
  const stringToSign = `${rawSr}\n${rawSe}`;
  const signer = signers.find((p) => p.keys.some((k) => sameText(sign(k, stringToSign), actual)));
  if (!signer) return { ok: false, reason: 'The token has an invalid signature.' };

  const expiresAtMs = Number(rawSe) * 1000;
  if (!(expiresAtMs > nowMs)) {
    return { ok: false, reason: `The token expired at ${new Date(expiresAtMs).toISOString()}.` };
  }
  const ok: SasValidation = { ok: true, keyName: signer.name, audience, expiresAtMs, rights: [...signer.rights] };
  if (signer.entity !== undefined) ok.entity = signer.entity;
  return ok;
}

/** What SASL PLAIN credentials let a connection do: `audience` '' is the whole namespace. */
export interface KeyPairGrant {
  audience: string;
  rights: AccessRight[];
}

/**
 * What a SASL PLAIN client may do with a policy's name as user and its key as password (as
 * Azure's AMQP guidance describes for generic clients): a namespace policy covers the namespace,
 * an entity policy its own queue or topic (each entity whose policy of that name has that key).
 * Empty when the pair is wrong.
 */
export function validateKeyPair(auth: AuthConfig, name: string, key: string): KeyPairGrant[] {
  const grants: KeyPairGrant[] = auth.keys.filter((k) => k.name === name && sameText(k.key, key)).map((k) => ({ audience: '', rights: [...k.rights] }));
  for (const e of auth.entityPolicies?.all() ?? []) {
    for (const p of e.policies) {
      if (p.name === name && p.keys.some((k) => sameText(k, key))) grants.push({ audience: e.entity, rights: [...p.rights] });
    }
  }
  return grants;
}

/**
 * A token in the JS AMQP client's format (sr and skn percent-encoded, fields sr, sig, se, skn).
 * For tests and tools.
 */
export function generateSasToken(audience: string, keyName: string, key: string, expiresAtSeconds: number): string {
  const sr = encodeURIComponent(audience);
  const se = String(Math.floor(expiresAtSeconds));
  const sig = encodeURIComponent(sign(key, `${sr}\n${se}`));
  return `${PREFIX} sr=${sr}&sig=${sig}&se=${se}&skn=${encodeURIComponent(keyName)}`;
}

/** Path segments of an audience or entity path: scheme, host, port, query and fragment dropped; lower-cased. */
function pathSegments(pathOrUri: string): string[] {
  let s = pathOrUri.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(s);
  if (scheme) s = s.slice(scheme[0].length);
  s = s.replace(/[?#].*$/s, '');
  return s
    .split('/')
    .filter((seg) => seg !== '')
    .map((seg) => (tryDecode(seg) ?? seg).toLowerCase());
}

/**
 * Whether a token issued for `tokenAudience` grants access to `entityPath`: compared after
 * stripping scheme, host and port (and any query), case-insensitively, by whole path segments.
 * An audience with an empty path (`sb://host/`) is namespace-wide and covers everything.
 *
 *   audienceCovers('sb://localhost:5672/q1', 'q1/$management')     === true
 *   audienceCovers('sb://localhost/q1', 'q10')                       === false
 *   audienceCovers('https://localhost:5300/t1?api-version=2021-05', 'T1/Subscriptions/s') === true
 */
export function audienceCovers(tokenAudience: string, entityPath: string): boolean {
  const token = pathSegments(tokenAudience);
  if (token.length === 0) return true;
  const entity = pathSegments(entityPath);
  if (token.length > entity.length) return false;
  return token.every((seg, i) => seg === entity[i]);
}
