import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { audienceCovers, generateSasToken, validateSasToken } from '../../src/auth/sas.js';
import { defaultAuthConfig, type AuthConfig } from '../../src/auth/types.js';

const NOW = Date.UTC(2025, 0, 1);
const NOW_S = NOW / 1000;
const KEY_NAME = 'RootManageSharedAccessKey';
const KEY = 'SAS_KEY_VALUE';

const hmac = (key: string, text: string): string => createHmac('sha256', Buffer.from(key, 'utf8')).update(text).digest('base64');

/** Python's urllib.parse.quote_plus: only [A-Za-z0-9_.~-] stay, space becomes '+'. */
const quotePlus = (s: string): string =>
  Array.from(Buffer.from(s, 'utf8'))
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9_.~-]/.test(c)) return c;
      if (c === ' ') return '+';
      return `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');

/** azure-servicebus `_pyamqp/utils.py` generate_sas_token. */
function pythonToken(audience: string, keyName: string, key: string, expiry: number): string {
  const encodedUri = quotePlus(audience);
  const sig = hmac(key, `${encodedUri}\n${expiry}`);
  // urlencode({'sr': uri, 'sig': sig, 'se': str(expiry), 'skn': key_name})
  return `SharedAccessSignature sr=${encodedUri}&sig=${quotePlus(sig)}&se=${expiry}&skn=${quotePlus(keyName)}`;
}

/** @azure/service-bus admin client, `sasServiceClientCredentials.js` signRequest. */
function jsAdminToken(url: string, keyName: string, key: string, expiry: number): string {
  const targetUri = encodeURIComponent(url.toLowerCase()).toLowerCase();
  const sig = hmac(key, `${targetUri}\n${expiry}`);
  return `SharedAccessSignature sig=${sig}&se=${expiry}&skn=${keyName}&sr=${targetUri}`;
}

const auth = defaultAuthConfig();

describe('validateSasToken', () => {
  it('accepts a JS AMQP token (generateSasToken) and reports key, audience, expiry and rights', () => {
    const token = generateSasToken('sb://localhost:5672/q1', KEY_NAME, KEY, NOW_S + 3600);
    expect(token).toMatch(/^SharedAccessSignature sr=sb%3A%2F%2Flocalhost%3A5672%2Fq1&sig=.+&se=\d+&skn=RootManageSharedAccessKey$/);
    expect(validateSasToken(token, auth, NOW)).toEqual({
      ok: true,
      keyName: KEY_NAME,
      audience: 'sb://localhost:5672/q1',
      expiresAtMs: (NOW_S + 3600) * 1000,
      rights: ['Manage', 'Send', 'Listen'],
    });
  });

  it('accepts a Python (quote_plus) token, whose sr and sig differ in encoding', () => {
    // An audience with characters encodeURIComponent keeps but quote_plus escapes.
    const audience = "sb://localhost:5672/topic/Subscriptions/sub(1)!*'";
    let token = '';
    // Find an expiry whose signature contains '+' and '/', to exercise sig decoding.
    for (let e = NOW_S + 3600; ; e++) {
      token = pythonToken(audience, KEY_NAME, KEY, e);
      if (token.includes('%2B') && token.includes('%2F', token.indexOf('sig='))) break;
    }
    const r = validateSasToken(token, auth, NOW);
    expect(r).toMatchObject({ ok: true, keyName: KEY_NAME, audience });
  });

  it('accepts the JS admin client token (sig unencoded with + and /, fields in another order, lower-cased sr)', () => {
    let token = '';
    for (let e = NOW_S + 300; ; e++) {
      token = jsAdminToken('https://localhost:5300/Queue-1?api-version=2021-05', KEY_NAME, KEY, e);
      const sig = token.slice(token.indexOf('sig=') + 4, token.indexOf('&'));
      if (sig.includes('+') && sig.includes('/')) break;
    }
    const r = validateSasToken(token, auth, NOW);
    expect(r).toMatchObject({ ok: true, audience: 'https://localhost:5300/queue-1?api-version=2021-05' });
  });

  it('accepts any field order', () => {
    const token = generateSasToken('sb://h/q', KEY_NAME, KEY, NOW_S + 60);
    const fields = token.slice('SharedAccessSignature '.length).split('&');
    for (const order of [
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ]) {
      const shuffled = `SharedAccessSignature ${order.map((i) => fields[i]).join('&')}`;
      expect(validateSasToken(shuffled, auth, NOW).ok).toBe(true);
    }
  });

  it('refuses an expired token, and one expiring exactly now', () => {
    const expired = generateSasToken('sb://h/q', KEY_NAME, KEY, NOW_S - 1);
    expect(validateSasToken(expired, auth, NOW)).toEqual({ ok: false, reason: expect.stringMatching(/expired/) });
    const edge = generateSasToken('sb://h/q', KEY_NAME, KEY, NOW_S);
    expect(validateSasToken(edge, auth, NOW).ok).toBe(false);
    expect(validateSasToken(edge, auth, NOW - 1).ok).toBe(true);
  });

  it('refuses a token signed with the wrong key', () => {
    const token = generateSasToken('sb://h/q', KEY_NAME, 'not-the-key', NOW_S + 60);
    expect(validateSasToken(token, auth, NOW)).toEqual({ ok: false, reason: expect.stringMatching(/signature/) });
  });

  it('refuses an unknown key name', () => {
    const token = generateSasToken('sb://h/q', 'SomeOtherKey', KEY, NOW_S + 60);
    expect(validateSasToken(token, auth, NOW)).toEqual({ ok: false, reason: expect.stringMatching(/SomeOtherKey/) });
  });

  it('refuses a token whose sr or se was altered after signing', () => {
    const token = generateSasToken('sb://h/q1', KEY_NAME, KEY, NOW_S + 60);
    expect(validateSasToken(token.replace('q1', 'q2'), auth, NOW).ok).toBe(false);
    expect(validateSasToken(token.replace(/se=(\d+)/, (_, s: string) => `se=${Number(s) + 1}`), auth, NOW).ok).toBe(false);
  });

  it('chooses among several keys by name, with the rights of that key', () => {
    const multi: AuthConfig = {
      acceptJwt: false,
      keys: [
        { name: 'sender', key: 'k1', rights: ['Send'] },
        { name: 'listener', key: 'k2', rights: ['Listen'] },
      ],
    };
    expect(validateSasToken(generateSasToken('sb://h/q', 'listener', 'k2', NOW_S + 60), multi, NOW)).toMatchObject({
      ok: true,
      keyName: 'listener',
      rights: ['Listen'],
    });
    expect(validateSasToken(generateSasToken('sb://h/q', 'listener', 'k1', NOW_S + 60), multi, NOW).ok).toBe(false);
  });

  it.each([
    [''],
    ['Bearer abc'],
    ['SharedAccessSignaturesr=a&sig=b&se=1&skn=c'],
    ['SharedAccessSignature '],
    ['SharedAccessSignature sr=a&sig=b&se=1'],
    ['SharedAccessSignature sr=a&sig=b&se=soon&skn=RootManageSharedAccessKey'],
    ['SharedAccessSignature sr=a&sr=a&sig=b&se=1&skn=RootManageSharedAccessKey'],
    ['SharedAccessSignature sr=%E0%A4%A&sig=%&se=99999999999&skn=%'],
    ['SharedAccessSignature garbage'],
  ])('refuses malformed token %j without throwing', (token) => {
    expect(validateSasToken(token, auth, NOW).ok).toBe(false);
  });
});

describe('audienceCovers', () => {
  it.each([
    ['sb://localhost:5672/q1', 'q1', true],
    ['sb://localhost:5672/q1', 'Q1', true],
    ['sb://localhost:5672/Q1', 'q1/$management', true],
    ['sb://localhost/q1', 'q10', false],
    ['sb://localhost/q1/', 'q1', true],
    ['amqps://localhost:5671/t1', 't1/Subscriptions/s1', true],
    ['sb://localhost/t1/subscriptions/s1', 'T1/Subscriptions/S1/$DeadLetterQueue', true],
    ['sb://localhost/t1/subscriptions/s1', 't1/Subscriptions/s2', false],
    ['sb://localhost/', 'anything/at/all', true],
    ['sb://localhost', 'q1', true],
    ['https://localhost:5300/q1?api-version=2021-05', 'q1', true],
    ['https://localhost:5300/%24resources/queues?api-version=2021-05&%24top=2', '$Resources/Queues', true],
    ['https://localhost:5300/$resources/queues', 'q1', false],
    ['sb://localhost/a/b', 'a', false],
    ['sb://localhost/q1', 'sb://otherhost:1234/q1', true],
  ])('%s covers %s: %s', (audience, path, expected) => {
    expect(audienceCovers(audience, path)).toBe(expected);
  });
});
