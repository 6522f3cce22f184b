import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { BrokerApi } from '../../src/broker/api.js';
import { Broker } from '../../src/broker/index.js';
import { FakeClock } from '../../src/broker/clock.js';
import { errors } from '../../src/broker/errors.js';
import type { RuleAction, RuleFilter } from '../../src/broker/types.js';
import {
  applyConfig,
  ConfigError,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG_SOURCE,
  loadConfigFile,
  validateConfig,
} from '../../src/config/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

type Call = [string, ...unknown[]];

/**
 * Records the entity calls applyConfig makes and enforces what it relies on: unique names
 * (case-insensitive) and forward targets that exist. The broker's own rules are tested in
 * test/broker; here we check the translation and the error paths.
 */
function recordingBroker(failOn?: { method: string; name: string; message: string }) {
  const calls: Call[] = [];
  const names = new Set<string>();
  const add = (name: string) => {
    if (names.has(name.toLowerCase())) throw errors.entityExists(name);
    names.add(name.toLowerCase());
  };
  const check = (method: string, name: string) => {
    if (failOn?.method === method && failOn.name === name) throw errors.argument(failOn.message);
  };
  const checkForwards = (p: { forwardTo?: string; forwardDeadLetteredMessagesTo?: string }) => {
    for (const target of [p.forwardTo, p.forwardDeadLetteredMessagesTo]) {
      if (target !== undefined && !names.has(target.toLowerCase())) throw errors.entityNotFound(target);
    }
  };
  const broker = {
    createQueue(name: string, props: object) {
      check('createQueue', name);
      checkForwards(props);
      add(name);
      calls.push(['createQueue', name, props]);
    },
    updateQueue(name: string, props: object) {
      checkForwards(props);
      calls.push(['updateQueue', name, props]);
    },
    createTopic(name: string, props: object) {
      check('createTopic', name);
      add(name);
      calls.push(['createTopic', name, props]);
    },
    createSubscription(topic: string, name: string, props: object, defaultRule?: object) {
      check('createSubscription', name);
      checkForwards(props);
      add(`${topic}/Subscriptions/${name}`);
      calls.push(['createSubscription', topic, name, props, defaultRule]);
    },
    updateSubscription(topic: string, name: string, props: object) {
      checkForwards(props);
      calls.push(['updateSubscription', topic, name, props]);
    },
    createRule(topic: string, sub: string, name: string, filter: RuleFilter, action?: RuleAction) {
      check('createRule', name);
      calls.push(['createRule', topic, sub, name, filter, action]);
    },
  };
  return { broker: broker as unknown as BrokerApi, calls };
}

describe('applyConfig', () => {
  it("creates Microsoft's default entities; a subscription's first rule replaces $Default", () => {
    const { broker, calls } = recordingBroker();
    const counts = applyConfig(broker, loadConfigFile(fixture('microsoft-default-config.json')));
    expect(counts).toEqual({ queues: 1, topics: 1, subscriptions: 3, rules: 2 });
    expect(calls.map((c) => [c[0], c[1], c[2]])).toEqual([
      ['createQueue', 'queue.1', expect.any(Object)],
      ['createTopic', 'topic.1', expect.any(Object)],
      ['createSubscription', 'topic.1', 'subscription.1'],
      ['createSubscription', 'topic.1', 'subscription.2'],
      ['createSubscription', 'topic.1', 'subscription.3'],
    ]);
    expect(calls[2]![4]).toEqual({
      name: 'app-prop-filter-1',
      filter: expect.objectContaining({ type: 'correlation', correlationId: 'id1', subject: 'subject1' }),
    });
    expect(calls[3]![4]).toEqual({
      name: 'user-prop-filter-1',
      filter: { type: 'correlation', properties: { prop3: 'value3' } },
    });
    expect(calls[4]![4]).toBeUndefined();
  });

  it('creates the embedded default, session-queue included', () => {
    const { broker, calls } = recordingBroker();
    applyConfig(broker, validateConfig(DEFAULT_CONFIG, DEFAULT_CONFIG_SOURCE));
    expect(calls[1]).toEqual(['createQueue', 'session-queue', expect.objectContaining({ requiresSession: true })]);
  });

  it('creates further rules, actions included, and sets forwarding once every entity exists', () => {
    const { broker, calls } = recordingBroker();
    const counts = applyConfig(broker, loadConfigFile(fixture('commented-config.jsonc')));
    expect(counts).toEqual({ queues: 3, topics: 1, subscriptions: 2, rules: 2 });
    // 'forwarder' forwards to the topic 'events', declared after it.
    expect(calls.find((c) => c[0] === 'createQueue' && c[1] === 'forwarder')).toEqual(['createQueue', 'forwarder', {}]);
    expect(calls.at(-1)).toEqual(['updateQueue', 'forwarder', { forwardTo: 'events', forwardDeadLetteredMessagesTo: 'plain' }]);
    expect(calls.find((c) => c[0] === 'createSubscription' && c[2] === 'sql-sub')![4]).toEqual({
      name: 'high-priority',
      filter: { type: 'sql', expression: 'priority > 5' },
      action: { type: 'sql', expression: "SET seen = 'yes'" },
    });
    expect(calls.find((c) => c[0] === 'createRule')).toEqual([
      'createRule',
      'events',
      'sql-sub',
      'by-subject',
      { type: 'correlation', subject: 'urgent', properties: { region: 'eu', level: 3, flag: true } },
      undefined,
    ]);
  });

  it('forwards subscriptions in the second pass too', () => {
    const { broker, calls } = recordingBroker();
    applyConfig(
      broker,
      validateConfig({
        UserConfig: {
          Namespaces: [
            {
              Name: 'n',
              Topics: [{ Name: 't', Subscriptions: [{ Name: 's', Properties: { ForwardTo: 'later' } }] }],
              Queues: [{ Name: 'later' }],
            },
          ],
        },
      }),
    );
    expect(calls.at(-1)).toEqual(['updateSubscription', 't', 's', { forwardTo: 'later' }]);
  });

  const twoQueues = {
    UserConfig: { Namespaces: [{ Name: 'a', Queues: [{ Name: 'q' }] }, { Name: 'b', Queues: [{ Name: 'Q' }] }] },
  };

  it.each<[string, unknown, Parameters<typeof recordingBroker>[0], string, RegExp]>([
    ['a duplicate across namespaces', twoQueues, undefined, 'UserConfig.Namespaces[1].Queues[0].Name', /already exists/],
    [
      'a forward to nothing',
      { UserConfig: { Namespaces: [{ Name: 'n', Queues: [{ Name: 'q', Properties: { ForwardTo: 'nowhere' } }] }] } },
      undefined,
      'UserConfig.Namespaces[0].Queues[0].Properties',
      /'nowhere' could not be found/,
    ],
    [
      'a queue the broker refuses',
      { UserConfig: { Namespaces: [{ Name: 'n', Queues: [{ Name: 'refused' }] }] } },
      { method: 'createQueue', name: 'refused', message: 'illegal character' },
      'UserConfig.Namespaces[0].Queues[0].Name',
      /illegal character/,
    ],
    [
      'a topic the broker refuses',
      { UserConfig: { Namespaces: [{ Name: 'n', Topics: [{ Name: 't' }] }] } },
      { method: 'createTopic', name: 't', message: 'nope' },
      'UserConfig.Namespaces[0].Topics[0].Name',
      /nope/,
    ],
    [
      'a second rule the broker refuses',
      {
        UserConfig: {
          Namespaces: [
            {
              Name: 'n',
              Topics: [
                {
                  Name: 't',
                  Subscriptions: [
                    {
                      Name: 's',
                      Rules: [
                        { Name: 'ok', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: '1=1' } } },
                        { Name: 'bad', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: 'a ===' } } },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      },
      { method: 'createRule', name: 'bad', message: 'syntax error in SQL' },
      'UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[1]',
      /syntax error in SQL/,
    ],
  ])('names the path of %s', (_what, config, failOn, path, detail) => {
    const { broker } = recordingBroker(failOn);
    let error: unknown;
    try {
      applyConfig(broker, validateConfig(config, 'cfg.json'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.source).toBe('cfg.json');
    expect(e.path).toBe(path);
    expect(e.detail).toMatch(detail);
    expect(e.message).toMatch(/^Invalid configuration in cfg\.json at /);
  });
});

describe('applyConfig on the real broker', () => {
  const fresh = () => new Broker({ clock: new FakeClock() });

  it("creates Microsoft's default entities with their properties and rules", () => {
    const broker = fresh();
    applyConfig(broker, loadConfigFile(fixture('microsoft-default-config.json')));
    expect(broker.getQueue('queue.1').properties).toMatchObject({
      lockDurationMs: 60_000,
      maxDeliveryCount: 3,
      defaultMessageTimeToLiveMs: 3_600_000,
      duplicateDetectionHistoryTimeWindowMs: 20_000,
      requiresSession: false,
    });
    expect(broker.getQueue('queue.1').properties.forwardTo).toBeUndefined();
    expect(broker.listSubscriptions('topic.1').map((s) => s.name)).toEqual(['subscription.1', 'subscription.2', 'subscription.3']);
    expect(broker.listRules('topic.1', 'subscription.1').map((r) => r.name)).toEqual(['app-prop-filter-1']);
    expect(broker.listRules('topic.1', 'subscription.2')[0]!.filter).toEqual({
      type: 'correlation',
      properties: { prop3: 'value3' },
    });
    expect(broker.listRules('topic.1', 'subscription.3').map((r) => r.name)).toEqual(['$Default']);
  });

  it('refuses SQL filters and actions over 1,024 characters, naming the rule', () => {
    const first = { Name: 'first', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: '1=1' } } };
    const withRule = (Properties: Record<string, unknown>) =>
      validateConfig({ UserConfig: { Namespaces: [{ Name: 'n', Topics: [{ Name: 't', Subscriptions: [{ Name: 's', Rules: [first, { Name: 'r', Properties }] }] }] }] } }, 'cfg.json');
    const path = 'UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[1]';
    const long = `a = '${'x'.repeat(1019)}'`;
    expect(() => applyConfig(fresh(), withRule({ FilterType: 'Sql', SqlFilter: { SqlExpression: long } }))).toThrow(
      `Invalid configuration in cfg.json at ${path}: The SQL filter expression is 1025 characters long; the maximum is 1024.`,
    );
    const action = { SqlExpression: `SET a = '${'x'.repeat(1015)}'` };
    expect(() => applyConfig(fresh(), withRule({ FilterType: 'Sql', SqlFilter: { SqlExpression: '1=1' }, Action: action }))).toThrow(/SQL action expression is 1025/);
    const broker = fresh();
    const limit = `a = '${'x'.repeat(1018)}'`;
    applyConfig(broker, withRule({ FilterType: 'Sql', SqlFilter: { SqlExpression: limit } }));
    expect(broker.getRule('t', 's', 'r').filter).toEqual({ type: 'sql', expression: limit });
  });

  it('routes by the configured rules', () => {
    const broker = fresh();
    applyConfig(broker, validateConfig(DEFAULT_CONFIG, DEFAULT_CONFIG_SOURCE));
    broker.send('topic.1', [{ payload: 'p', size: 1, applicationProperties: { prop3: 'value3' } }]);
    expect(broker.runtime('topic.1/Subscriptions/subscription.1').activeMessageCount).toBe(0);
    expect(broker.runtime('topic.1/Subscriptions/subscription.2').activeMessageCount).toBe(1);
    expect(broker.runtime('topic.1/Subscriptions/subscription.3').activeMessageCount).toBe(1);
  });

  it('creates the commented config, SQL rules and forwarding included', () => {
    const broker = fresh();
    applyConfig(broker, loadConfigFile(fixture('commented-config.jsonc')));
    expect(broker.getQueue('orders').properties).toMatchObject({
      lockDurationMs: 300_000,
      maxDeliveryCount: 10,
      defaultMessageTimeToLiveMs: 14 * 86_400_000,
      deadLetteringOnMessageExpiration: true,
      requiresSession: true,
    });
    expect(broker.getQueue('forwarder').properties).toMatchObject({ forwardTo: 'events', forwardDeadLetteredMessagesTo: 'plain' });
    // Listed in name order, as Azure lists rules.
    expect(broker.listRules('events', 'sql-sub').map((r) => r.name)).toEqual(['by-subject', 'high-priority']);
    expect(broker.getRule('events', 'sql-sub', 'high-priority').action).toEqual({ type: 'sql', expression: "SET seen = 'yes'" });
  });

  it('reports what the broker refuses at the JSON path', () => {
    const err = (() => {
      try {
        applyConfig(
          fresh(),
          validateConfig({ UserConfig: { Namespaces: [{ Name: 'n', Queues: [{ Name: 'ok' }, { Name: 'bad name!' }] }] } }, 'c.json'),
        );
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('UserConfig.Namespaces[0].Queues[1].Name');
  });

  it('reports a SQL filter the broker cannot compile at the rule path', () => {
    const config = validateConfig(
      {
        UserConfig: {
          Namespaces: [
            {
              Name: 'n',
              Topics: [
                {
                  Name: 't',
                  Subscriptions: [
                    {
                      Name: 's',
                      Rules: [
                        { Name: 'a', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: '1 = 1' } } },
                        { Name: 'b', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: 'a ==== b (' } } },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      },
      'c.json',
    );
    expect(() => applyConfig(fresh(), config)).toThrow(/at UserConfig\.Namespaces\[0\]\.Topics\[0\]\.Subscriptions\[0\]\.Rules\[1\]: /);
  });
});
