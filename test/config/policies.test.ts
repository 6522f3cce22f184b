/**
 * Entity-level SAS policies in Config.json (`AuthorizationRules` of a queue or topic): parsed,
 * checked with their JSON path, and created with the entity (missing keys generated).
 */
import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/index.js';
import { FakeClock } from '../../src/broker/clock.js';
import { applyConfig, ConfigError, parseConfigText } from '../../src/config/index.js';

const config = (queue: object, topic: object = { Name: 't' }) =>
  JSON.stringify({ UserConfig: { Namespaces: [{ Name: 'ns', Queues: [{ Name: 'q', ...queue }], Topics: [topic] }] } });

const errorOf = (text: string): ConfigError => {
  try {
    applyConfig(new Broker({ clock: new FakeClock(0) }), parseConfigText(text, 'test.json'));
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('AuthorizationRules in Config.json', () => {
  it('are parsed for queues and topics, Rights defaulting to all three', () => {
    const parsed = parseConfigText(
      config(
        { AuthorizationRules: [{ KeyName: 'sender', PrimaryKey: 'p', SecondaryKey: 's', Rights: ['send'] }] },
        { Name: 't', AuthorizationRules: [{ KeyName: 'owner' }] },
      ),
      'test.json',
    );
    const ns = parsed.namespaces[0]!;
    expect(ns.queues[0]!.authorizationRules).toEqual([{ keyName: 'sender', primaryKey: 'p', secondaryKey: 's', rights: ['Send'] }]);
    expect(ns.topics[0]!.authorizationRules).toEqual([{ keyName: 'owner', primaryKey: undefined, secondaryKey: undefined, rights: ['Manage', 'Send', 'Listen'] }]);
  });

  it('are created with the entity, keys left out generated', () => {
    const broker = new Broker({ clock: new FakeClock(0) });
    applyConfig(
      broker,
      parseConfigText(config({ AuthorizationRules: [{ KeyName: 'sender', PrimaryKey: 'p', Rights: ['Send'] }] }, { Name: 't', AuthorizationRules: [{ KeyName: 'l', Rights: ['Listen'] }] }), 'test.json'),
    );
    const [q] = broker.getQueue('q').properties.authorizationRules;
    expect(q).toMatchObject({ keyName: 'sender', primaryKey: 'p', rights: ['Send'] });
    expect(q!.secondaryKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(broker.getTopic('t').properties.authorizationRules[0]).toMatchObject({ keyName: 'l', rights: ['Listen'] });
  });

  it.each([
    ['a rule without KeyName', { AuthorizationRules: [{ Rights: ['Send'] }] }, 'UserConfig.Namespaces[0].Queues[0].AuthorizationRules[0].KeyName', /'KeyName' is required/],
    ['an unknown right', { AuthorizationRules: [{ KeyName: 'k', Rights: ['Read'] }] }, 'UserConfig.Namespaces[0].Queues[0].AuthorizationRules[0].Rights[0]', /'Read' is not a right/],
    ['an unknown key', { AuthorizationRules: [{ KeyName: 'k', Key: 'v' }] }, 'UserConfig.Namespaces[0].Queues[0].AuthorizationRules[0].Key', /unknown key 'Key'/],
    ['Manage alone', { AuthorizationRules: [{ KeyName: 'k', Rights: ['Manage'] }] }, 'UserConfig.Namespaces[0].Queues[0].AuthorizationRules', /Manage right needs the Send and Listen/],
    ['two rules with one name', { AuthorizationRules: [{ KeyName: 'k' }, { KeyName: 'K' }] }, 'UserConfig.Namespaces[0].Queues[0].AuthorizationRules', /given to two/],
  ])('refuses %s, naming its path', (_what, queue, path, detail) => {
    const err = errorOf(config(queue));
    expect(err.path).toBe(path);
    expect(err.detail).toMatch(detail);
  });
});
