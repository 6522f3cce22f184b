import { beforeEach, describe, expect, it } from 'vitest';
import { ATOM_CT, correlationFilter, emptyAction, kv, ruleBody, sqlAction, sqlFilter, subscriptionBody, topicBody, NS_XSI } from './support/bodies.js';
import { makeHarness, type Harness } from './support/harness.js';
import { buildRule, errorOf, sdkEntry, sdkFeed } from './support/sdkShape.js';

const R = ['TopicName', 'SubscriptionName', 'RuleName'];
const BASE = '/T1/Subscriptions/S1/Rules';
let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
  await h.request({ method: 'PUT', url: '/T1', payload: topicBody(), headers: ATOM_CT });
  await h.request({ method: 'PUT', url: '/T1/Subscriptions/S1', payload: subscriptionBody(), headers: ATOM_CT });
});
const put = (url: string, body: string, headers: Record<string, string> = {}) =>
  h.request({ method: 'PUT', url, payload: body, headers: { ...ATOM_CT, ...headers } });

describe('rules', () => {
  it('SQL filter with parameters and a SQL action: stored, and read back the way the SDK reads it', async () => {
    const r = await put(
      `${BASE}/high?api-version=2021-05`,
      ruleBody(sqlFilter('priority &gt; @min AND region = @r', kv('@min', 'double', '5') + kv('@r', 'string', 'eu')), sqlAction("SET handled = 'yes'"), 'high'),
    );
    expect(r.statusCode).toBe(201);
    expect(h.broker.getRule('t1', 's1', 'high')).toMatchObject({
      name: 'high',
      filter: { type: 'sql', expression: 'priority > @min AND region = @r', parameters: { '@min': 5, '@r': 'eu' } },
      action: { type: 'sql', expression: "SET handled = 'yes'" },
    });
    const rule = buildRule(sdkEntry(r.body, R));
    expect(rule).toMatchObject({
      name: 'high',
      filter: { sqlExpression: 'priority > @min AND region = @r', sqlParameters: { '@min': 5, '@r': 'eu' } },
      action: { sqlExpression: "SET handled = 'yes'" },
      filterType: 'SqlFilter',
      actionType: 'SqlRuleAction',
    });
    const raw = sdkEntry(r.body, R);
    expect([raw.TopicName, raw.SubscriptionName, raw.RuleName]).toEqual(['T1', 'S1', 'high']);
  });

  it('correlation filter with typed application properties round-trips through the SDK reader', async () => {
    const props = kv('n', 'double', '1.5') + kv('i', 'int', '7') + kv('s', 'string', 'x') + kv('b', 'boolean', 'true') + kv('d', 'dateTime', '2025-01-02T03:04:05.000Z');
    const r = await put(
      `${BASE}/corr`,
      ruleBody(
        correlationFilter({ CorrelationId: 'c', MessageId: 'm', To: 't', ReplyTo: 'rt', Label: 'l', SessionId: 'sid', ReplyToSessionId: 'rsid', ContentType: 'ct' }, props),
      ),
    );
    expect(r.statusCode).toBe(201);
    const stored = h.broker.getRule('T1', 'S1', 'corr').filter;
    expect(stored).toEqual({
      type: 'correlation',
      correlationId: 'c',
      messageId: 'm',
      to: 't',
      replyTo: 'rt',
      subject: 'l',
      sessionId: 'sid',
      replyToSessionId: 'rsid',
      contentType: 'ct',
      properties: { n: 1.5, i: 7, s: 'x', b: true, d: new Date('2025-01-02T03:04:05.000Z') },
    });
    const rule = buildRule(sdkEntry(r.body, R));
    expect(rule.filterType).toBe('CorrelationFilter');
    expect(rule.filter).toEqual({
      correlationId: 'c',
      messageId: 'm',
      to: 't',
      replyTo: 'rt',
      subject: 'l',
      sessionId: 'sid',
      replyToSessionId: 'rsid',
      contentType: 'ct',
      applicationProperties: { n: 1.5, i: 7, s: 'x', b: true, d: new Date('2025-01-02T03:04:05.000Z') },
    });
    expect(rule.actionType).toBe('EmptyRuleAction');
    // The value type sits in an attribute literally named i:type with a four-letter prefix.
    expect(r.body).toContain('<Value i:type="d6p1:double" xmlns:d6p1="http://www.w3.org/2001/XMLSchema">1.5</Value>');
  });

  it('correlation filter properties of every type round-trip with their type, TimeSpan (duration) included', async () => {
    const SER = 'http://schemas.microsoft.com/2003/10/Serialization/';
    const values: [string, string, string][] = [
      ['s', 'string', 'x'],
      ['i', 'int', '7'],
      ['l', 'long', '5000000000'],
      ['huge', 'long', '9223372036854775807'],
      ['sh', 'short', '-3'],
      ['by', 'byte', '12'],
      ['ui', 'unsignedInt', '4000000000'],
      ['ul', 'unsignedLong', '18446744073709551615'],
      ['us', 'unsignedShort', '65535'],
      ['ub', 'unsignedByte', '255'],
      ['d', 'double', '1.5'],
      ['f', 'float', '2.25'],
      ['dec', 'decimal', '10.75'],
      ['b', 'boolean', 'true'],
      ['dt', 'dateTime', '2025-01-02T03:04:05.000Z'],
      ['span', 'duration', 'PT1H30M'],
    ];
    const props =
      values.map(([k, t, v]) => kv(k, t, v)).join('') +
      `<KeyValueOfstringanyType><Key>ts</Key><Value p4:type="s:duration" xmlns:s="${SER}">P1DT2H</Value></KeyValueOfstringanyType>` +
      `<KeyValueOfstringanyType><Key>g</Key><Value p4:type="s:guid" xmlns:s="${SER}">2f1b3c4d-0000-4000-8000-000000000001</Value></KeyValueOfstringanyType>` +
      // Stored and read back as .NET writes the TimeSpan, the form message TimeSpans compare in.
      `<KeyValueOfstringanyType><Key>secs</Key><Value p4:type="s:duration" xmlns:s="${SER}">PT90S</Value></KeyValueOfstringanyType>`;
    const r = await put(`${BASE}/typed`, ruleBody(correlationFilter({}, props)));
    expect(r.statusCode).toBe(201);
    const read = await h.request({ method: 'GET', url: `${BASE}/typed` });
    for (const body of [r.body, read.body]) {
      for (const [, t, v] of values) {
        const ns = t === 'duration' ? SER : 'http://www.w3.org/2001/XMLSchema';
        expect(body).toContain(`<Value i:type="d6p1:${t}" xmlns:d6p1="${ns}">${v}</Value>`);
      }
      expect(body).toContain(`<Value i:type="d6p1:duration" xmlns:d6p1="${SER}">P1DT2H</Value>`);
      expect(body).toContain(`<Value i:type="d6p1:guid" xmlns:d6p1="${SER}">2f1b3c4d-0000-4000-8000-000000000001</Value>`);
      expect(body).toContain(`<Value i:type="d6p1:duration" xmlns:d6p1="${SER}">PT1M30S</Value>`);
    }
    expect(h.broker.getRule('T1', 'S1', 'typed').filter).toMatchObject({ properties: { i: 7, l: 5_000_000_000, huge: 9223372036854775807n, span: 'PT1H30M' } });
    expect((await put(`${BASE}/bad-span`, ruleBody(correlationFilter({}, kv('k', 'duration', 'soon'))))).statusCode).toBe(400);
  });

  it('correlation filter with only some fields: absent ones stay absent', async () => {
    const r = await put(`${BASE}/c2`, ruleBody(correlationFilter({ Label: 'only' })));
    const rule = buildRule(sdkEntry(r.body, R));
    expect(rule.filter).toEqual({
      correlationId: undefined,
      subject: 'only',
      to: undefined,
      replyTo: undefined,
      replyToSessionId: undefined,
      sessionId: undefined,
      messageId: undefined,
      contentType: undefined,
      applicationProperties: undefined,
    });
  });

  it('True and False filters, with the type attribute under any prefix', async () => {
    const t = await put(`${BASE}/all`, ruleBody(`<Filter xmlns:x="${NS_XSI}" x:type="TrueFilter"><SqlExpression>1=1</SqlExpression></Filter>`, emptyAction));
    expect(t.statusCode).toBe(201);
    expect(h.broker.getRule('T1', 'S1', 'all').filter).toEqual({ type: 'true' });
    expect(buildRule(sdkEntry(t.body, R))).toMatchObject({ filter: { sqlExpression: '1=1' }, filterType: 'TrueFilter' });
    const f = await put(`${BASE}/none`, ruleBody(`<Filter i:type="FalseFilter"/>`));
    expect(f.statusCode).toBe(201);
    expect(h.broker.getRule('T1', 'S1', 'none').filter).toEqual({ type: 'false' });
    expect(buildRule(sdkEntry(f.body, R))).toMatchObject({ filter: { sqlExpression: '1=0' }, filterType: 'FalseFilter' });
  });

  it('get $Default, list with paging, update (If-Match), delete', async () => {
    const d = await h.request({ method: 'GET', url: `${BASE}/$Default?api-version=2021-05` });
    expect(d.statusCode).toBe(200);
    expect(buildRule(sdkEntry(d.body, R))).toMatchObject({ name: '$Default', filter: { sqlExpression: '1=1' } });

    await put(`${BASE}/r1`, ruleBody(sqlFilter('a = 1')));
    await put(`${BASE}/r2`, ruleBody(sqlFilter('a = 2')));
    const p1 = sdkFeed((await h.request({ method: 'GET', url: `${BASE}/?api-version=2021-05&$top=2` })).body, R);
    expect(p1.items.map((i) => buildRule(i).name)).toEqual(['$Default', 'r1']);
    expect(p1.nextSkip).toBe('2');
    const p2 = sdkFeed((await h.request({ method: 'GET', url: `/t1/subscriptions/s1/rules?$skip=2` })).body, R);
    expect(p2.items.map((i) => i.RuleName)).toEqual(['r2']);

    const u = await put(`${BASE}/r1`, ruleBody(sqlFilter('a = 10')), { 'if-match': '*' });
    expect(u.statusCode).toBe(200);
    expect(buildRule(sdkEntry(u.body, R)).filter).toMatchObject({ sqlExpression: 'a = 10' });

    expect((await h.request({ method: 'DELETE', url: `${BASE}/r1` })).statusCode).toBe(200);
    expect((await h.request({ method: 'GET', url: `${BASE}/r1` })).statusCode).toBe(404);
  });

  it('404 for missing rule, subscription or topic; 409 for a duplicate rule', async () => {
    expect((await h.request({ method: 'GET', url: `${BASE}/nope` })).statusCode).toBe(404);
    expect((await h.request({ method: 'GET', url: '/T1/Subscriptions/none/Rules/' })).statusCode).toBe(404);
    expect((await put('/T9/Subscriptions/S1/Rules/r', ruleBody(sqlFilter('1=1')))).statusCode).toBe(404);
    expect((await put(`${BASE}/nope`, ruleBody(sqlFilter('1=1')), { 'if-match': '*' })).statusCode).toBe(404);
    await put(`${BASE}/dup`, ruleBody(sqlFilter('1=1')));
    const r = await put(`${BASE}/dup`, ruleBody(sqlFilter('1=1')));
    expect(r.statusCode).toBe(409);
    expect(errorOf(r.body).code).toBe('409');
  });

  it.each([
    ['an unknown filter type', ruleBody(`<Filter i:type="BogusFilter"/>`), 400, /unknown type 'BogusFilter'/],
    ['an unknown action type', ruleBody(sqlFilter('1=1'), `<Action i:type="BogusAction"/>`), 400, /unknown type 'BogusAction'/],
    ['a SQL filter without expression', ruleBody(`<Filter i:type="SqlFilter"/>`), 400, /needs a <SqlExpression>/],
    ['an unknown element in a filter', ruleBody(`<Filter i:type="CorrelationFilter"><Colour>red</Colour></Filter>`), 400, /Unknown element <Colour>/],
    ['an unsupported value type', ruleBody(correlationFilter({}, kv('k', 'base64Binary', 'AAA='))), 400, /base64Binary/],
    ['a bad guid', ruleBody(correlationFilter({}, kv('k', 'guid', 'not-a-guid'))), 400, /not a valid guid/],
    ['a bad number', ruleBody(correlationFilter({}, kv('k', 'double', 'abc'))), 400, /not a valid double/],
    ['a duplicate key', ruleBody(correlationFilter({}, kv('k', 'string', 'a') + kv('k', 'string', 'b'))), 400, /appears twice/],
    ['a SQL filter over 1,024 characters', ruleBody(sqlFilter(`a = '${'x'.repeat(1019)}'`)), 400, /SQL filter expression is 1025 characters long; the maximum is 1024/],
    ['a SQL action over 1,024 characters', ruleBody(sqlFilter('1=1'), `<Action i:type="SqlRuleAction"><SqlExpression>SET a = '${'x'.repeat(1015)}'</SqlExpression></Action>`), 400, /SQL action expression is 1025/],
    ['SQL action parameters', ruleBody(sqlFilter('1=1'), `<Action i:type="SqlRuleAction"><SqlExpression>SET a = @p</SqlExpression><Parameters>${kv('@p', 'int', '1')}</Parameters></Action>`), 501, /not supported/],
  ])('refuses %s', async (_what, body, status, detail) => {
    const r = await put(`${BASE}/bad`, body);
    expect(r.statusCode).toBe(status);
    expect(errorOf(r.body).detail).toMatch(detail);
  });

  it('400 for an illegal rule name; $Default is allowed', async () => {
    expect((await put(`${BASE}/bad$name`, ruleBody(sqlFilter('1=1')))).statusCode).toBe(400);
    expect((await put(`${BASE}/has space`, ruleBody(sqlFilter('1=1')))).statusCode).toBe(400);
  });
});
