import { beforeEach, describe, expect, it } from 'vitest';
import { BrokerError, type BrokerErrorCode } from '../../src/broker/errors.js';
import { ADMIN_BODY_LIMIT } from '../../src/http/app.js';
import { BROKER_ERROR_STATUS, describeError, errorXml } from '../../src/http/errors.js';
import { ATOM_CT, entry, queueBody } from './support/bodies.js';
import { makeHarness, type Harness } from './support/harness.js';
import { errorOf } from './support/sdkShape.js';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
});
const put = (url: string, payload: string, headers: Record<string, string> = ATOM_CT) => h.request({ method: 'PUT', url, payload, headers });

describe('bad input gets a 4xx Service Bus error, never a crash', () => {
  it.each([
    ['malformed XML', '<entry><content>', 400, /not well-formed XML/],
    ['not XML at all', '{"json": true}', 400, /not well-formed XML|Atom <entry>/],
    ['a DTD (entity expansion)', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><entry/>', 400, /Document type declarations/],
    ['a root other than entry', '<feed xmlns="http://www.w3.org/2005/Atom"/>', 400, /must be an Atom <entry>/],
    ['an entry without content', '<entry xmlns="http://www.w3.org/2005/Atom"><title>x</title></entry>', 400, /no <content>/],
    ['two descriptions', entry('QueueDescription', '').replace('</content>', '<TopicDescription/></content>'), 400, /exactly one/],
    ['an unknown description', entry('WidgetDescription', ''), 400, /expected QueueDescription or TopicDescription/],
    ['an unknown element', queueBody({ Colour: 'blue' }), 400, /Unknown element <Colour> in <QueueDescription>/],
    ['an invalid duration', queueBody({ LockDuration: '5 minutes' }), 400, /QueueDescription\/LockDuration: '5 minutes' is not a valid ISO 8601 duration/],
    ['a duration beyond TimeSpan.MaxValue', queueBody({ DefaultMessageTimeToLive: 'P10675200D' }), 400, /DefaultMessageTimeToLive/],
    ['an invalid boolean', queueBody({ RequiresSession: 'yes' }), 400, /RequiresSession: 'yes' is not a boolean/],
    ['an invalid integer', queueBody({ MaxDeliveryCount: '1.5' }), 400, /MaxDeliveryCount: '1.5' is not an integer/],
    ['an invalid status', queueBody({ Status: 'Sleeping' }), 400, /not a valid status/],
    ['a repeated element', queueBody({ MaxDeliveryCount: 1 }).replace('</QueueDescription>', '<MaxDeliveryCount>2</MaxDeliveryCount></QueueDescription>'), 400, /more than once/],
    ['an element where text belongs', queueBody({ MaxDeliveryCount: '<x>1</x>' }), 400, /must contain text/],
    ['a value the broker refuses (ArgumentError)', queueBody({ MaxDeliveryCount: 0 }), 400, /maxDeliveryCount/i],
  ])('%s', async (_what, body, status, detail) => {
    const r = await put('/q1', body);
    expect(r.statusCode).toBe(status);
    expect(r.headers['content-type']).toBe('application/xml; charset=utf-8');
    const e = errorOf(r.body);
    expect(e.code).toBe(String(status));
    expect(e.detail).toMatch(detail);
    expect(e.detail).toMatch(/TrackingId:[0-9a-f-]{36}/);
  });

  it('an empty PUT body', async () => {
    const r = await put('/q1', '');
    expect(r.statusCode).toBe(400);
    expect(errorOf(r.body).detail).toMatch(/body is empty/);
  });

  it('a body without content type, or with another one, is still read as XML', async () => {
    expect((await put('/q-a', queueBody(), {})).statusCode).toBe(201);
    expect((await put('/q-b', queueBody(), { 'content-type': 'text/plain' })).statusCode).toBe(201);
    expect((await put('/q-c', queueBody(), { 'content-type': 'application/json' })).statusCode).toBe(201);
  });

  it('413 for a body over the limit', async () => {
    const big = queueBody({ UserMetadata: 'x'.repeat(ADMIN_BODY_LIMIT) });
    const r = await put('/q1', big);
    expect(r.statusCode).toBe(413);
    expect(errorOf(r.body).code).toBe('413');
  });

  it.each([
    ['a space', '/bad%20name'],
    ['a star', '/bad*name'],
    ['a leading dot', '/.hidden'],
    ['a trailing slash segment', '/a/b/'],
    ['a double slash', '/a//b'],
    ['a percent sign', '/100%25'],
    ['too long', `/${'q'.repeat(261)}`],
  ])('an entity name with %s: 400', async (_what, url) => {
    const r = await put(url, queueBody());
    if (url === '/a/b/') {
      // A trailing slash is ignored: this is just the queue `a/b`.
      expect(r.statusCode).toBe(201);
      return;
    }
    expect(r.statusCode).toBe(400);
    expect(errorOf(r.body)).toMatchObject({ code: '400', detail: expect.stringMatching(/^Invalid queue or topic name\. Use letters/) });
  });

  it('unknown routes and methods: 404 Service Bus error', async () => {
    const r = await h.request({ method: 'POST', url: '/q1' });
    expect(r.statusCode).toBe(404);
    expect(errorOf(r.body).code).toBe('404');
    const r2 = await h.request({ method: 'GET', url: '/$Resources/Widgets' });
    expect(r2.statusCode).toBe(404);
  });

  it('an unexpected failure is a 500 with an XML error, and the app keeps serving', async () => {
    const broken = h.broker.listQueues;
    h.broker.listQueues = () => {
      throw new TypeError('boom');
    };
    const r = await h.request({ method: 'GET', url: '/$Resources/Queues' });
    expect(r.statusCode).toBe(500);
    expect(errorOf(r.body).detail).not.toMatch(/boom/);
    h.broker.listQueues = broken;
    expect((await h.request({ method: 'GET', url: '/$Resources/Queues' })).statusCode).toBe(200);
  });
});

describe('every 4xx carries the Service Bus error body (issue 11 items 13, 19, 20)', () => {
  const expectError = (r: { statusCode: number; body: string; headers: Record<string, unknown> }, status: number, detail: RegExp) => {
    expect(r.statusCode).toBe(status);
    expect(r.headers['content-type']).toBe('application/xml; charset=utf-8');
    const e = errorOf(r.body);
    expect(e.code).toBe(String(status));
    expect(e.detail).toMatch(detail);
  };

  it.each([
    ['<__proto__> inside the description', entry('QueueDescription', '<__proto__><a>1</a></__proto__>')],
    ['<__proto__> as the root', '<__proto__><entry/></__proto__>'],
    ['<constructor> inside the description', entry('QueueDescription', '<constructor>1</constructor>')],
    ['<constructor> as the root', '<constructor/>'],
  ])('XML the parser rejects: %s is a 400, never a 500', async (_what, body) => {
    expectError(await put('/q1', body), 400, /cannot be read/);
    expect(h.broker.entityKind('q1')).toBeUndefined();
  });

  it('a __proto__ attribute is only an attribute: ignored, nothing polluted', async () => {
    const r = await put('/q1', entry('QueueDescription', '<MaxDeliveryCount __proto__="x">3</MaxDeliveryCount>'));
    expect(r.statusCode).toBe(201);
    expect(h.broker.getQueue('q1').properties.maxDeliveryCount).toBe(3);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('names over 260 characters, and longer than the router takes', async () => {
    expectError(await h.request({ method: 'GET', url: `/${'a'.repeat(261)}` }), 400, /Invalid queue or topic name/);
    expectError(await h.request({ method: 'GET', url: `/${'a'.repeat(5000)}` }), 400, /longer than 260 characters/);
    expectError(await put(`/${'a'.repeat(261)}`, queueBody()), 400, /Invalid queue or topic name/);
  });

  it('a method no route takes', async () => {
    expectError(await h.request({ method: 'PATCH', url: '/q1' }), 404, /No admin API resource matches PATCH/);
  });

  it("a value outside Azure's range is Azure's 400", async () => {
    expectError(await put('/q1', queueBody({ LockDuration: 'PT6M' })), 400, /lock time exceeds the allowed maximum of '5' minutes/);
    expectError(await put('/q1', queueBody({ UserMetadata: 'u'.repeat(1025) })), 400, /UserMetadata/);
    expectError(await put('/q1', queueBody({ MaxMessageSizeInKilobytes: 1024 })), 400, /'Premium' tier/);
  });

  it('a missing entity is named in full, sb://host/path, as Azure does', async () => {
    const r = await h.request({ method: 'GET', url: '/nope?api-version=2021-05' });
    expectError(r, 404, /^The messaging entity 'sb:\/\/localhost:5300\/nope' could not be found\. To know more visit https:\/\/aka\.ms\/sbResourceMgrExceptions\./);
    await put('/t1', entry('TopicDescription', ''));
    const sub = await h.request({ method: 'GET', url: '/t1/Subscriptions/nope?api-version=2021-05' });
    expectError(sub, 404, /'sb:\/\/localhost:5300\/t1\/Subscriptions\/nope' could not be found/);
  });
});

describe('BrokerError code -> HTTP status', () => {
  it.each(Object.entries(BROKER_ERROR_STATUS) as [BrokerErrorCode, number][])('%s -> %d', (code, status) => {
    expect(describeError(new BrokerError(code, 'x')).status).toBe(status);
  });

  it('uses statuses the JS SDK knows (its HttpResponseCodes table)', () => {
    const known = [400, 401, 403, 404, 409, 410, 413, 500, 501, 503];
    for (const status of Object.values(BROKER_ERROR_STATUS)) expect(known).toContain(status);
  });

  it('errorXml escapes the detail', () => {
    const xml = errorXml(400, "a <b> & 'c'", 'id', new Date(0));
    expect(xml).toBe(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>400</Code><Detail>a &lt;b&gt; &amp; 'c' TrackingId:id, Timestamp:1970-01-01T00:00:00.000Z</Detail></Error>",
    );
    expect(errorOf(xml).detail).toMatch(/^a <b> & 'c'/);
  });
});
