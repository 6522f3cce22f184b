import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG_SOURCE,
  loadConfigFile,
  parseConfigText,
  validateConfig,
  type EmulatorConfig,
} from '../../src/config/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The error a config text produces; fails the test when it parses. */
function errorOf(text: string, source = 'test.json'): ConfigError {
  try {
    parseConfigText(text, source);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** A minimal valid config with `queue` spliced in as the only queue. */
const withQueue = (queue: unknown) =>
  JSON.stringify({ UserConfig: { Namespaces: [{ Name: 'ns', Queues: [queue] }] } });
const withRule = (rule: unknown) =>
  JSON.stringify({
    UserConfig: {
      Namespaces: [{ Name: 'ns', Topics: [{ Name: 't', Subscriptions: [{ Name: 's', Rules: [rule] }] }] }],
    },
  });

describe("Microsoft's default Config.json", () => {
  const config = loadConfigFile(fixture('microsoft-default-config.json'));

  it('has queue.1 with its properties converted to milliseconds', () => {
    expect(config.source).toBe(fixture('microsoft-default-config.json'));
    expect(config.namespaces).toHaveLength(1);
    expect(config.namespaces[0]!.name).toBe('sbemulatorns');
    expect(config.namespaces[0]!.queues).toEqual([
      {
        name: 'queue.1',
        path: 'UserConfig.Namespaces[0].Queues[0]',
        properties: {
          deadLetteringOnMessageExpiration: false,
          defaultMessageTimeToLiveMs: HOUR,
          duplicateDetectionHistoryTimeWindowMs: 20_000,
          lockDurationMs: MINUTE,
          maxDeliveryCount: 3,
          requiresDuplicateDetection: false,
          requiresSession: false,
        },
        authorizationRules: [],
      },
    ]);
  });

  it('has topic.1 with subscription.1-3 and their correlation rules', () => {
    const [topic] = config.namespaces[0]!.topics;
    expect(topic!.name).toBe('topic.1');
    expect(topic!.properties).toEqual({
      defaultMessageTimeToLiveMs: HOUR,
      duplicateDetectionHistoryTimeWindowMs: 20_000,
      requiresDuplicateDetection: false,
    });
    expect(topic!.subscriptions.map((s) => s.name)).toEqual(['subscription.1', 'subscription.2', 'subscription.3']);
    const [s1, s2, s3] = topic!.subscriptions;
    expect(s1!.properties).toEqual({
      deadLetteringOnMessageExpiration: false,
      defaultMessageTimeToLiveMs: HOUR,
      lockDurationMs: MINUTE,
      maxDeliveryCount: 3,
      requiresSession: false,
    });
    expect(s1!.rules).toEqual([
      {
        name: 'app-prop-filter-1',
        path: 'UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[0]',
        filter: {
          type: 'correlation',
          contentType: 'application/text',
          correlationId: 'id1',
          subject: 'subject1',
          messageId: 'msgid1',
          replyTo: 'someQueue',
          replyToSessionId: 'sessionId',
          sessionId: 'session1',
          to: 'xyz',
          properties: {},
        },
      },
    ]);
    expect(s2!.rules[0]!.filter).toEqual({ type: 'correlation', properties: { prop3: 'value3' } });
    expect(s3!.rules).toEqual([]);
  });

  it('keeps Logging', () => {
    expect(config.logging).toEqual({ type: 'File' });
    expect(config.sharedAccessKeys).toEqual([]);
  });

  it('is what the embedded default holds, plus session-queue', () => {
    const embedded = validateConfig(DEFAULT_CONFIG, DEFAULT_CONFIG_SOURCE);
    const strip = (c: EmulatorConfig) => ({ ...c, source: '' });
    const ns = embedded.namespaces[0]!;
    expect(ns.queues.map((q) => q.name)).toEqual(['queue.1', 'session-queue']);
    expect(ns.queues[1]!.properties).toEqual({ ...ns.queues[0]!.properties, requiresSession: true });
    const withoutSessionQueue: EmulatorConfig = {
      ...embedded,
      namespaces: [{ ...ns, queues: [ns.queues[0]!] }],
    };
    expect(strip(withoutSessionQueue)).toEqual(strip(config));
  });
});

describe('JSONC and leniency', () => {
  const config = loadConfigFile(fixture('commented-config.jsonc'));
  const ns = config.namespaces[0]!;

  it('accepts comments, trailing commas and any namespace name', () => {
    expect(ns.name).toBe('my-team-namespace');
    expect(ns.queues.map((q) => q.name)).toEqual(['orders', 'plain', 'forwarder']);
  });

  it("reads the tutorial's session queue", () => {
    expect(ns.queues[0]!.properties).toEqual({
      deadLetteringOnMessageExpiration: true,
      defaultMessageTimeToLiveMs: 14 * DAY,
      lockDurationMs: 5 * MINUTE,
      maxDeliveryCount: 10,
      requiresSession: true,
    });
  });

  it('accepts entities without Properties, and forwarding', () => {
    expect(ns.queues[1]!.properties).toEqual({});
    expect(ns.queues[2]!.properties).toEqual({ forwardTo: 'events', forwardDeadLetteredMessagesTo: 'plain' });
    expect(ns.topics[0]!.properties).toEqual({});
  });

  it('reads SQL filters, SQL actions and typed correlation properties', () => {
    const [sql, corr] = ns.topics[0]!.subscriptions[0]!.rules;
    expect(sql!.filter).toEqual({ type: 'sql', expression: 'priority > 5' });
    expect(sql!.action).toEqual({ type: 'sql', expression: "SET seen = 'yes'" });
    expect(corr!.filter).toEqual({
      type: 'correlation',
      subject: 'urgent',
      properties: { region: 'eu', level: 3, flag: true },
    });
    expect(corr!.action).toBeUndefined();
  });

  it('accepts a namespace without Topics or Queues, and no Logging', () => {
    const c = parseConfigText('{"UserConfig":{"Namespaces":[{"Name":"x"}]}}', 'x.json');
    expect(c.namespaces).toEqual([{ name: 'x', sku: 'Standard', queues: [], topics: [] }]);
    expect(c.logging).toBeUndefined();
  });

  it('matches keys case-insensitively', () => {
    const c = parseConfigText(withQueue({ name: 'q', properties: { lockduration: 'PT30S', maxDELIVERYcount: 4 } }), 'x');
    expect(c.namespaces[0]!.queues[0]!.properties).toEqual({ lockDurationMs: 30_000, maxDeliveryCount: 4 });
  });

  it('treats empty ForwardTo and an empty action as absent', () => {
    const c = parseConfigText(withQueue({ Name: 'q', Properties: { ForwardTo: '', ForwardDeadLetteredMessagesTo: ' ' } }), 'x');
    expect(c.namespaces[0]!.queues[0]!.properties).toEqual({});
    const r = parseConfigText(
      withRule({ Name: 'r', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: '1=1' }, Action: { SqlExpression: '' } } }),
      'x',
    );
    expect(r.namespaces[0]!.topics[0]!.subscriptions[0]!.rules[0]!.action).toBeUndefined();
  });

  it('accepts a byte order mark and null Properties', () => {
    const c = parseConfigText(`\ufeff${withQueue({ Name: 'q', Properties: null })}`, 'x');
    expect(c.namespaces[0]!.queues[0]!.properties).toEqual({});
  });

  it('reads the extension properties', () => {
    const c = parseConfigText(
      withQueue({
        Name: 'q',
        Properties: {
          AutoDeleteOnIdle: 'P1D',
          EnableBatchedOperations: false,
          EnablePartitioning: true,
          MaxSizeInMegabytes: 2048,
          MaxMessageSizeInKilobytes: 1024,
          Status: 'sendDisabled',
          UserMetadata: 'hello',
          EnableExpress: false,
        },
      }),
      'x',
    );
    expect(c.namespaces[0]!.queues[0]!.properties).toEqual({
      autoDeleteOnIdleMs: DAY,
      enableBatchedOperations: false,
      enablePartitioning: true,
      maxSizeInMegabytes: 2048,
      maxMessageSizeInKilobytes: 1024,
      status: 'SendDisabled',
      userMetadata: 'hello',
      enableExpress: false,
    });
  });

  it('reads extra shared access keys from the Emulator section', () => {
    const c = validateConfig({
      UserConfig: { Namespaces: [] },
      Emulator: {
        SharedAccessKeys: [
          { KeyName: 'sender', Key: 'secret1', Rights: ['Send'] },
          { KeyName: 'all', Key: 'secret2' },
        ],
      },
    });
    expect(c.source).toBe('<inline config>');
    expect(c.sharedAccessKeys).toEqual([
      { name: 'sender', key: 'secret1', rights: ['Send'] },
      { name: 'all', key: 'secret2', rights: ['Manage', 'Send', 'Listen'] },
    ]);
  });
});

describe('errors name the file, the JSON path and the problem', () => {
  const Q = 'UserConfig.Namespaces[0].Queues[0]';
  const R = 'UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[0]';

  it.each<[string, string, string, RegExp]>([
    ['not JSON', 'nope', '', /JSON syntax error at line 1, column 1/],
    ['a syntax error deep inside', '{"UserConfig": {"Namespaces": [ {"Name": "x" "Queues": []} ]}}', '', /line 1, column 46 \(near UserConfig\.Namespaces\[0\]\.Queues\): CommaExpected/],
    ['an empty file', '  ', '', /the file is empty/],
    ['an array at the root', '[]', '', /expected the configuration/],
    ['no UserConfig', '{}', 'UserConfig', /'UserConfig' is required/],
    ['an unknown root key', '{"UserConfig":{"Namespaces":[]},"Extra":1}', 'Extra', /unknown key 'Extra'/],
    ['Namespaces missing', '{"UserConfig":{}}', 'UserConfig.Namespaces', /'Namespaces' is required/],
    ['Namespaces not an array', '{"UserConfig":{"Namespaces":{}}}', 'UserConfig.Namespaces', /expected an array/],
    ['a namespace without a name', '{"UserConfig":{"Namespaces":[{}]}}', 'UserConfig.Namespaces[0].Name', /'Name' is required/],
    ['Queues not an array', '{"UserConfig":{"Namespaces":[{"Name":"n","Queues":3}]}}', 'UserConfig.Namespaces[0].Queues', /expected an array/],
    ['a queue that is a string', withQueue('q'), Q, /expected an object/],
    ['a queue without Name', withQueue({}), `${Q}.Name`, /'Name' is required/],
    ['an empty queue name', withQueue({ Name: ' ' }), `${Q}.Name`, /the name is empty/],
    ['a numeric queue name', withQueue({ Name: 5 }), `${Q}.Name`, /expected a string, not number 5/],
    ['an unknown queue key', withQueue({ Name: 'q', Propertes: {} }), `${Q}.Propertes`, /unknown key 'Propertes'; expected one of Name, Properties/],
    ['Properties not an object', withQueue({ Name: 'q', Properties: [] }), `${Q}.Properties`, /expected an object/],
    ['an unknown property', withQueue({ Name: 'q', Properties: { LockDurration: 'PT1M' } }), `${Q}.Properties.LockDurration`, /unknown key 'LockDurration'/],
    ['a bad duration', withQueue({ Name: 'q', Properties: { LockDuration: 'PT5X' } }), `${Q}.Properties.LockDuration`, /'PT5X' is not an ISO 8601 duration/],
    ['a duration as a number', withQueue({ Name: 'q', Properties: { DefaultMessageTimeToLive: 60 } }), `${Q}.Properties.DefaultMessageTimeToLive`, /expected an ISO 8601 duration string/],
    ['a duration beyond TimeSpan.MaxValue', withQueue({ Name: 'q', Properties: { DefaultMessageTimeToLive: 'P10675200D' } }), `${Q}.Properties.DefaultMessageTimeToLive`, /longer than the maximum/],
    ['a boolean as a string', withQueue({ Name: 'q', Properties: { RequiresSession: 'true' } }), `${Q}.Properties.RequiresSession`, /expected true or false, not the string "true"/],
    ['MaxDeliveryCount 0', withQueue({ Name: 'q', Properties: { MaxDeliveryCount: 0 } }), `${Q}.Properties.MaxDeliveryCount`, /at least 1/],
    ['MaxDeliveryCount 1.5', withQueue({ Name: 'q', Properties: { MaxDeliveryCount: 1.5 } }), `${Q}.Properties.MaxDeliveryCount`, /whole number/],
    ['ForwardTo a number', withQueue({ Name: 'q', Properties: { ForwardTo: 1 } }), `${Q}.Properties.ForwardTo`, /expected a string/],
    ['a bad Status', withQueue({ Name: 'q', Properties: { Status: 'Paused' } }), `${Q}.Properties.Status`, /'Paused' is not a status/],
    ['a key given twice in two cases', withQueue({ Name: 'q', Properties: { LockDuration: 'PT1M', lockduration: 'PT2M' } }), `${Q}.Properties.lockduration`, /given twice/],
    ['a queue-only property on a topic', '{"UserConfig":{"Namespaces":[{"Name":"n","Topics":[{"Name":"t","Properties":{"LockDuration":"PT1M"}}]}]}}', 'UserConfig.Namespaces[0].Topics[0].Properties.LockDuration', /unknown key/],
    ['a subscription without Name', '{"UserConfig":{"Namespaces":[{"Name":"n","Topics":[{"Name":"t","Subscriptions":[{}]}]}]}}', 'UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Name', /'Name' is required/],
    ['a rule without Properties', withRule({ Name: 'r' }), `${R}.Properties`, /'Properties' is required/],
    ['a rule without FilterType', withRule({ Name: 'r', Properties: {} }), `${R}.Properties.FilterType`, /'FilterType' is required/],
    ['an unknown FilterType', withRule({ Name: 'r', Properties: { FilterType: 'Regex' } }), `${R}.Properties.FilterType`, /'Regex' is not a filter type/],
    ['a Correlation rule without its filter', withRule({ Name: 'r', Properties: { FilterType: 'Correlation' } }), `${R}.Properties.CorrelationFilter`, /'CorrelationFilter' is required/],
    ['an empty correlation filter', withRule({ Name: 'r', Properties: { FilterType: 'Correlation', CorrelationFilter: {} } }), `${R}.Properties.CorrelationFilter`, /at least one property/],
    ['an unknown correlation field', withRule({ Name: 'r', Properties: { FilterType: 'Correlation', CorrelationFilter: { Topic: 'x' } } }), `${R}.Properties.CorrelationFilter.Topic`, /unknown key 'Topic'/],
    ['a correlation property that is an object', withRule({ Name: 'r', Properties: { FilterType: 'Correlation', CorrelationFilter: { Properties: { a: {} } } } }), `${R}.Properties.CorrelationFilter.Properties.a`, /string, number or boolean, not an object/],
    ['Label and Subject together', withRule({ Name: 'r', Properties: { FilterType: 'Correlation', CorrelationFilter: { Label: 'a', Subject: 'b' } } }), `${R}.Properties.CorrelationFilter.Subject`, /either Label or Subject/],
    ['a Correlation rule with a SqlFilter', withRule({ Name: 'r', Properties: { FilterType: 'Correlation', SqlFilter: { SqlExpression: '1=1' } } }), `${R}.Properties.SqlFilter`, /not a SqlFilter/],
    ['a Sql rule without its filter', withRule({ Name: 'r', Properties: { FilterType: 'Sql' } }), `${R}.Properties.SqlFilter`, /'SqlFilter' is required/],
    ['a Sql rule with a CorrelationFilter', withRule({ Name: 'r', Properties: { FilterType: 'Sql', CorrelationFilter: { To: 'x' } } }), `${R}.Properties.CorrelationFilter`, /not a CorrelationFilter/],
    ['a Sql rule without an expression', withRule({ Name: 'r', Properties: { FilterType: 'Sql', SqlFilter: {} } }), `${R}.Properties.SqlFilter.SqlExpression`, /'SqlExpression' is required/],
    ['an empty SQL expression', withRule({ Name: 'r', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: '  ' } } }), `${R}.Properties.SqlFilter.SqlExpression`, /the SQL expression is empty/],
    ['an Action that is a string', withRule({ Name: 'r', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: '1=1' }, Action: 'SET a=1' } }), `${R}.Properties.Action`, /expected an object/],
    ['Logging.Type unknown', '{"UserConfig":{"Namespaces":[],"Logging":{"Type":"Syslog"}}}', 'UserConfig.Logging.Type', /'Syslog' is not a logging type/],
    ['Logging without Type', '{"UserConfig":{"Namespaces":[],"Logging":{}}}', 'UserConfig.Logging.Type', /'Type' is required/],
    ['a SAS key without Key', '{"UserConfig":{"Namespaces":[]},"Emulator":{"SharedAccessKeys":[{"KeyName":"k"}]}}', 'Emulator.SharedAccessKeys[0].Key', /'Key' is required/],
    ['a SAS key with an unknown right', '{"UserConfig":{"Namespaces":[]},"Emulator":{"SharedAccessKeys":[{"KeyName":"k","Key":"v","Rights":["Read"]}]}}', 'Emulator.SharedAccessKeys[0].Rights[0]', /'Read' is not a right/],
  ])('%s', (_what, text, path, detail) => {
    const err = errorOf(text);
    expect(err.source).toBe('test.json');
    expect(err.path).toBe(path);
    expect(err.detail).toMatch(detail);
    expect(err.message).toContain('test.json');
    if (path !== '') expect(err.message).toContain(` at ${path}: `);
  });

  it('refuses two rules with the same name in one subscription', () => {
    const text = JSON.stringify({
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
                      { Name: 'r', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: '1=1' } } },
                      { Name: 'R', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: '1=1' } } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    const err = errorOf(text);
    expect(err.path).toBe('UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[1].Name');
    expect(err.detail).toMatch(/duplicate rule name 'R'/);
  });

  it('reports the third queue of a file by its index, as in the message users see', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbemu-config-'));
    const file = join(dir, 'Config.json');
    writeFileSync(
      file,
      JSON.stringify({
        UserConfig: {
          Namespaces: [{ Name: 'n', Queues: [{ Name: 'a' }, { Name: 'b' }, { Name: 'c', Properties: { LockDuration: '5 minutes' } }] }],
        },
      }),
    );
    expect(() => loadConfigFile(file)).toThrow(
      `Invalid configuration in ${file} at UserConfig.Namespaces[0].Queues[2].Properties.LockDuration: '5 minutes' is not an ISO 8601 duration`,
    );
  });

  it('reports a missing file and a directory', () => {
    const missing = join(tmpdir(), 'sbemu-no-such-dir', 'Config.json');
    expect(() => loadConfigFile(missing)).toThrow(`Invalid configuration in ${missing}: the file does not exist`);
    expect(() => loadConfigFile(tmpdir())).toThrow(/this is a directory, not a file/);
  });

  it('validates inline objects the same way', () => {
    expect(() => validateConfig({ UserConfig: { Namespaces: [{ Name: 'n', Queues: [{ Name: 'q', Properties: { MaxDeliveryCount: -1 } }] }] } })).toThrow(
      'Invalid configuration in <inline config> at UserConfig.Namespaces[0].Queues[0].Properties.MaxDeliveryCount: expected a whole number of at least 1, not number -1',
    );
  });

  it('keeps the fixture faithful to the upstream file', () => {
    const text = readFileSync(fixture('microsoft-default-config.json'), 'utf8');
    expect(JSON.parse(text).UserConfig.Namespaces[0].Name).toBe('sbemulatorns');
  });
});
