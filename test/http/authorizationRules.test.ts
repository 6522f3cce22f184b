/**
 * Entity-level `<AuthorizationRules>` through the admin API: stored with the queue or topic,
 * returned in Azure's shape (the one the SDKs parse), keys generated when left empty, replaced by
 * an update, and refused with 400 when Azure would refuse them.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { brokerEntityPolicies } from '../../src/server/entityPolicies.js';
import { defaultAuthConfig } from '../../src/auth/types.js';
import { ATOM_CT, NS_XSI, elements, entry } from './support/bodies.js';
import { makeHarness, NOW, parseLikeSdk, sdkToken, HOST, type Harness } from './support/harness.js';

let h: Harness;
beforeEach(async () => {
  const auth = defaultAuthConfig();
  h = await makeHarness({ auth });
  // As startEmulator wires it: the admin API honours the entity keys it stores.
  auth.entityPolicies = brokerEntityPolicies(h.broker);
});

/** An AuthorizationRule as @azure/service-bus writes it (buildRawAuthorizationRule). */
const rule = (keyName: string, rights: string[], primary?: string, secondary?: string): string =>
  `<AuthorizationRule p5:type="SharedAccessAuthorizationRule" xmlns:p5="${NS_XSI}"><ClaimType>SharedAccessKey</ClaimType><ClaimValue>None</ClaimValue>` +
  `<Rights>${rights.map((r) => `<AccessRights>${r}</AccessRights>`).join('')}</Rights><KeyName>${keyName}</KeyName>` +
  (primary === undefined ? '' : `<PrimaryKey>${primary}</PrimaryKey>`) +
  (secondary === undefined ? '' : `<SecondaryKey>${secondary}</SecondaryKey>`) +
  `</AuthorizationRule>`;

const body = (root: string, rules: string | undefined, extra: Record<string, string> = {}) =>
  entry(root, `${elements(extra)}${rules === undefined ? '' : `<AuthorizationRules>${rules}</AuthorizationRules>`}`);

const put = (url: string, payload: string, headers: Record<string, string> = {}) =>
  h.request({ method: 'PUT', url, payload, headers: { ...ATOM_CT, ...headers } });

const rulesOf = (xml: string, root = 'QueueDescription') => {
  const desc = parseLikeSdk(xml).entry.content[root];
  const r = desc.AuthorizationRules?.AuthorizationRule;
  return r === undefined ? [] : Array.isArray(r) ? r : [r];
};

describe('AuthorizationRules on queues and topics', () => {
  it('a queue stores the rules, generates the keys left empty and returns them as Azure does', async () => {
    const r = await put('/orders', body('QueueDescription', rule('sender', ['Send'], 'given-primary') + rule('all', ['Manage', 'Send', 'Listen'])));
    expect(r.statusCode).toBe(201);
    const [sender, all] = rulesOf(r.body);
    expect(sender).toMatchObject({
      $: { 'i:type': 'SharedAccessAuthorizationRule' },
      ClaimType: 'SharedAccessKey',
      ClaimValue: 'None',
      Rights: { AccessRights: 'Send' },
      KeyName: 'sender',
      PrimaryKey: 'given-primary',
      CreatedTime: new Date(NOW).toISOString(),
      ModifiedTime: new Date(NOW).toISOString(),
    });
    expect(sender.SecondaryKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(all.Rights.AccessRights).toEqual(['Manage', 'Send', 'Listen']);
    expect(all.PrimaryKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // The element order the .NET serializer writes, which Java's and Go's XML readers accept.
    expect(r.body).toMatch(/<ClaimType>.*<ClaimValue>.*<Rights>.*<CreatedTime>.*<ModifiedTime>.*<KeyName>.*<PrimaryKey>.*<SecondaryKey>/);
    expect(h.broker.getQueue('orders').properties.authorizationRules.map((x) => x.keyName)).toEqual(['sender', 'all']);
  });

  it('a GET returns them, and an entity without rules has an empty element', async () => {
    await put('/orders', body('QueueDescription', rule('sender', ['Send'], 'k1', 'k2')));
    const got = await h.request({ method: 'GET', url: '/orders' });
    expect(rulesOf(got.body)[0]).toMatchObject({ KeyName: 'sender', PrimaryKey: 'k1', SecondaryKey: 'k2' });
    await put('/plain', body('QueueDescription', undefined));
    expect((await h.request({ method: 'GET', url: '/plain' })).body).toContain('<AuthorizationRules/>');
  });

  it('an update replaces them: kept rules keep their created time, a body without the element removes them', async () => {
    await put('/orders', body('QueueDescription', rule('sender', ['Send'], 'k1', 'k2')));
    h.clock.advance(60_000);
    const upd = await put('/orders', body('QueueDescription', rule('sender', ['Send', 'Listen'], 'k1', 'k2') + rule('new', ['Listen'])), { 'if-match': '*' });
    expect(upd.statusCode).toBe(200);
    const [kept, added] = rulesOf(upd.body);
    expect(kept).toMatchObject({ CreatedTime: new Date(NOW).toISOString(), ModifiedTime: new Date(NOW + 60_000).toISOString() });
    expect(added).toMatchObject({ KeyName: 'new' });
    await put('/orders', body('QueueDescription', undefined), { 'if-match': '*' });
    expect(h.broker.getQueue('orders').properties.authorizationRules).toEqual([]);
  });

  it('a topic takes them too', async () => {
    const r = await put('/events', body('TopicDescription', rule('listener', ['Listen'], 'lk')));
    expect(r.statusCode).toBe(201);
    expect(rulesOf(r.body, 'TopicDescription')[0]).toMatchObject({ KeyName: 'listener', PrimaryKey: 'lk' });
    expect(h.broker.getTopic('events').properties.authorizationRules[0]).toMatchObject({ keyName: 'listener', rights: ['Listen'] });
  });

  it.each([
    ['Manage without Send and Listen', rule('m', ['Manage']), /Manage right needs the Send and Listen/],
    ['no rights', rule('none', []), /at least one of the rights/],
    ['an unknown right', rule('x', ['Read']), /'Read' is not an access right/],
    ['two rules with one name', rule('a', ['Send']) + rule('a', ['Listen']), /given to two/],
    ['another rule type', `<AuthorizationRule i:type="AllowRule"><KeyName>a</KeyName></AuthorizationRule>`, /type 'AllowRule' is not supported/],
  ])('refuses %s with 400', async (_, rules, message) => {
    const r = await put('/bad', body('QueueDescription', rules));
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(message);
  });

  it("an entity policy with Manage may manage its own entity through the admin API, and no other", async () => {
    await put('/orders', body('QueueDescription', rule('owner', ['Manage', 'Send', 'Listen'], 'owner-key')));
    await put('/other', body('QueueDescription', undefined));
    const as = (url: string) => ({ authorization: sdkToken(`https://${HOST}${url}`, h.clock.now(), 'owner', 'owner-key') });
    expect((await h.request({ method: 'GET', url: '/orders', headers: as('/orders') })).statusCode).toBe(200);
    expect((await h.request({ method: 'GET', url: '/other', headers: as('/other') })).statusCode).toBe(401);
  });
});
