/**
 * Admin API paths. Azure allows '/' inside queue and topic names (`a/b`), which a router cannot
 * tell from path separators; so before routing, the URL is rewritten to a canonical form where
 * each name is one percent-encoded segment:
 *
 *   /a/b                                  -> /a%2Fb                     (queue or topic `a/b`)
 *   /a/b/subscriptions/s1/rules/$Default  -> /a%2Fb/Subscriptions/s1/Rules/%24Default
 *   /%24Resources/queues?$top=2           -> /$Resources/queues?$top=2
 *
 * The structure follows the SDK's own reading of entry ids (atomXmlHelper.js `setName`): the last
 * `/Subscriptions/` splits topic from subscription, `/Rules/` subscription from rule. Keywords
 * are case-insensitive, as are the routes.
 */

/**
 * Queue and topic names: letters, digits, `.`, `-`, `_`, and `/` between non-empty segments;
 * starting with a letter or digit, ending with a letter, digit or `_`; at most 260 characters.
 */
export const ENTITY_NAME_PATTERN = '^(?=.*[A-Za-z0-9_]$)[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9._-]+)*$';
export const ENTITY_NAME_MAX = 260;
/** Subscription names: letters, digits, `.`, `-`, `_`; at most 50. */
export const SUBSCRIPTION_NAME_PATTERN = '^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$';
export const SUBSCRIPTION_NAME_MAX = 50;
/** Rule names: like subscriptions, plus the reserved `$Default`. */
export const RULE_NAME_PATTERN = '^(?:\\$Default|[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?)$';
export const RULE_NAME_MAX = 50;

function tryDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const enc = (s: string): string => encodeURIComponent(s);
const is = (seg: string | undefined, word: string): boolean => seg !== undefined && seg.toLowerCase() === word;

/** The canonical URL (see the module comment); the query string is kept as it is. */
export function canonicalizeUrl(url: string): string {
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  const segs = rawPath.split('/').slice(1).map(tryDecode);
  while (segs.length > 1 && segs[segs.length - 1] === '') segs.pop();
  const n = segs.length;
  if (n === 0 || segs[0] === undefined || segs[0] === '' || segs[0].startsWith('$')) {
    // $namespaceinfo, $Resources/Queues, /, ...: keep `$` literal, encode the rest.
    return `/${segs.map((s) => enc(s).replace(/%24/g, '$')).join('/')}${query}`;
  }
  // The control API's entity routes end in .../Subscriptions/{sub}/rules too; they are not ATOM
  // (so a topic literally named `emulator/entities/...` is out of the admin API's reach).
  if (n >= 2 && is(segs[0], 'emulator') && is(segs[1], 'entities')) return url;
  const joined = (from: number, to: number): string => enc(segs.slice(from, to).join('/'));
  if (n >= 5 && is(segs[n - 4], 'subscriptions') && is(segs[n - 2], 'rules')) {
    return `/${joined(0, n - 4)}/Subscriptions/${enc(segs[n - 3]!)}/Rules/${enc(segs[n - 1]!)}${query}`;
  }
  if (n >= 4 && is(segs[n - 3], 'subscriptions') && is(segs[n - 1], 'rules')) {
    return `/${joined(0, n - 3)}/Subscriptions/${enc(segs[n - 2]!)}/Rules/${query}`;
  }
  if (n >= 3 && is(segs[n - 2], 'subscriptions')) {
    return `/${joined(0, n - 2)}/Subscriptions/${enc(segs[n - 1]!)}${query}`;
  }
  if (n >= 2 && is(segs[n - 1], 'subscriptions')) {
    return `/${joined(0, n - 1)}/Subscriptions/${query}`;
  }
  // The emulator's own endpoints are not entity names.
  if (is(segs[0], 'emulator')) return url;
  return `/${joined(0, n)}${query}`;
}

/** The request path of a URL, percent-decoded, without the leading '/' and the query. */
export function requestPath(url: string): string {
  const q = url.indexOf('?');
  return tryDecode((q === -1 ? url : url.slice(0, q)).replace(/^\/+/, ''));
}

/** The Host header the client used, or `localhost` when it is absent or not a plain host[:port]. */
export function requestHost(header: string | undefined): string {
  const raw = header ?? '';
  return /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(raw) ? raw : 'localhost';
}
