// The control API, with the key the user signed in with. The key (not a cookie) rides in an
// Authorization header that only this page's scripts set, so another site cannot make the browser
// send it; sessionStorage forgets it when the tab closes.
const STORE = 'sbemu-dashboard-auth';

export class Unauthorized extends Error {}

export function signedIn() {
  return sessionStorage.getItem(STORE) !== null;
}

export function signIn(keyName, key) {
  const bytes = new TextEncoder().encode(`${keyName}:${key}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  sessionStorage.setItem(STORE, btoa(bin));
}

export function signOut() {
  sessionStorage.removeItem(STORE);
}

/** Calls /emulator{path}; JSON in and out; a control API error becomes an Error with its message. */
export async function api(method, path, body) {
  const headers = { authorization: `Basic ${sessionStorage.getItem(STORE) ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`../${path.replace(/^\//, '')}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (res.status === 401) throw new Unauthorized(json?.error?.message ?? 'The key was refused.');
  if (!res.ok) throw new Error(json?.error?.message ?? `${res.status} ${res.statusText}`);
  return json;
}

/** An entity path as a URL path: each segment encoded, the slashes kept. */
export const entityUrl = (path) => `entities/${path.split('/').map(encodeURIComponent).join('/')}`;
