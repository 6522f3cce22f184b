import { beforeEach, describe, expect, it } from 'vitest';
import { generateSasToken } from '../../src/auth/sas.js';
import type { AuthConfig } from '../../src/auth/types.js';
import { HOST, makeHarness, sdkToken, type Harness } from './support/harness.js';
import { errorOf } from './support/sdkShape.js';

const auth: AuthConfig = {
  acceptJwt: false,
  keys: [
    { name: 'RootManageSharedAccessKey', key: 'SAS_KEY_VALUE', rights: ['Manage', 'Send', 'Listen'] },
    { name: 'SendOnly', key: 'send-key', rights: ['Send'] },
  ],
};

let h: Harness;
beforeEach(async () => {
  h = await makeHarness({ auth });
});
const get = (url: string, authorization: string) => h.request({ method: 'GET', url, headers: { authorization } });
const nowS = () => Math.floor(h.clock.now() / 1000);

describe('SAS authorization of the admin API', () => {
  it('accepts the token the JS admin client makes (full request URL, lower-cased)', async () => {
    const url = '/$Resources/Queues?api-version=2021-05';
    expect((await get(url, sdkToken(`https://${HOST}${url}`, h.clock.now()))).statusCode).toBe(200);
  });

  it('accepts a namespace-wide token (Python signs its endpoint)', async () => {
    const token = generateSasToken(`sb://${HOST}/`, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', nowS() + 60);
    expect((await get('/$namespaceinfo', token)).statusCode).toBe(200);
  });

  it.each([
    ['no Authorization header', '', /MissingToken/],
    ['a wrong key', 'WRONG', /invalid signature/],
    ['an unknown key name', 'UNKNOWN', /Unknown shared access key name/],
    ['an expired token', 'EXPIRED', /expired/],
    ['a key without Manage', 'SENDONLY', /lacks the Manage right/],
    ['a token for another entity', 'OTHER', /does not cover/],
    ['a Bearer token when JWTs are not accepted', 'Bearer abc', /Bearer tokens are not accepted/],
    ['garbage', 'Basic dXNlcjpwYXNz', /does not start with/],
  ])('401 for %s', async (_what, kind, detail) => {
    const url = '/q1?api-version=2021-05';
    const full = `https://${HOST}${url}`;
    const token =
      kind === 'WRONG'
        ? sdkToken(full, h.clock.now(), 'RootManageSharedAccessKey', 'not-the-key')
        : kind === 'UNKNOWN'
          ? sdkToken(full, h.clock.now(), 'Nobody', 'SAS_KEY_VALUE')
          : kind === 'EXPIRED'
            ? sdkToken(full, h.clock.now() - 3_600_000)
            : kind === 'SENDONLY'
              ? sdkToken(full, h.clock.now(), 'SendOnly', 'send-key')
              : kind === 'OTHER'
                ? sdkToken(`https://${HOST}/q2?api-version=2021-05`, h.clock.now())
                : kind;
    const r = await get(url, token);
    expect(r.statusCode).toBe(401);
    const e = errorOf(r.body);
    expect(e.code).toBe('401');
    expect(e.detail).toMatch(detail);
  });

  it('accepts Bearer tokens when AuthConfig.acceptJwt is set', async () => {
    const open = await makeHarness({ auth: { ...auth, acceptJwt: true } });
    const r = await open.request({ method: 'GET', url: '/$Resources/Topics', headers: { authorization: 'Bearer eyJ0eXAiOiJKV1QifQ.e30.x' } });
    expect(r.statusCode).toBe(200);
  });

  it('leaves /health and /emulator/ca.pem open', async () => {
    expect((await h.request({ method: 'GET', url: '/health', headers: { authorization: '' } })).statusCode).toBe(200);
    expect((await h.request({ method: 'GET', url: '/emulator/ca.pem', headers: { authorization: '' } })).statusCode).toBe(404);
  });
});
