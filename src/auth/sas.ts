/**
 * Shared Access Signature tokens, the credential Service Bus clients present: validated for CBS
 * put-token (AMQP) and for the admin API's `Authorization` header (HTTP); a generator for tests.
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
import type { AccessRight, AuthConfig, SasKey } from './types.js';

export type SasValidation =
  | { ok: true; keyName: string; audience: string; expiresAtMs: number; rights: AccessRight[] }
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

function findKey(auth: AuthConfig, rawSkn: string): SasKey | undefined {
  const candidates = new Set<string>();
  const decoded = tryDecode(rawSkn);
  if (decoded !== undefined) candidates.add(decoded);
  // Python's urlencode writes a space as '+'.
  const plusDecoded = tryDecode(rawSkn.replace(/\+/g, ' '));
  if (plusDecoded !== undefined) candidates.add(plusDecoded);
  candidates.add(rawSkn);
  for (const name of candidates) {
    const key = auth.keys.find((k) => k.name === name);
    if (key) return key;
  }
  return undefined;
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

  const key = findKey(auth, rawSkn);
  if (!key) return { ok: false, reason: `Unknown shared access key name '${tryDecode(rawSkn) ?? rawSkn}'.` };

  const expected = Buffer.from(sign(key.key, `${rawSr}\n${rawSe}`), 'utf8');
  const actual = Buffer.from(tryDecode(rawSig) ?? rawSig, 'utf8');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { ok: false, reason: 'The token has an invalid signature.' };
  }

  const expiresAtMs = Number(rawSe) * 1000;
  if (!(expiresAtMs > nowMs)) {
    return { ok: false, reason: `The token expired at ${new Date(expiresAtMs).toISOString()}.` };
  }

  // quote_plus writes spaces as '+'; encodeURIComponent never leaves a literal '+'.
  const audience = tryDecode(rawSr.replace(/\+/g, ' ')) ?? rawSr;
  return { ok: true, keyName: key.name, audience, expiresAtMs, rights: [...key.rights] };
}

/**
 * The key a SASL PLAIN client names (policy name as user, key as password, as Azure's AMQP
 * guidance describes for generic clients), or undefined when the pair is wrong.
 */
export function validateKeyPair(auth: AuthConfig, name: string, key: string): SasKey | undefined {
  const found = auth.keys.find((k) => k.name === name);
  if (!found) return undefined;
  const a = Buffer.from(found.key, 'utf8');
  const b = Buffer.from(key, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b) ? found : undefined;
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
