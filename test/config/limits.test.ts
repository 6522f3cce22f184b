/** Config.json: Azure's ranges and names are checked at load, and the namespace Sku (issue 11 items 13 and 14). */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/parse.js';

const withQueue = (Properties: Record<string, unknown>, Name = 'q') => ({ UserConfig: { Namespaces: [{ Name: 'n', Queues: [{ Name, Properties }] }] } });
const at = 'Invalid configuration in <inline config> at UserConfig.Namespaces[0].Queues[0]';

describe('Config.json ranges and names', () => {
  it.each([
    [{ LockDuration: 'PT5M1S' }, 'Properties.LockDuration', /lock time exceeds the allowed maximum of '5' minutes/],
    [{ DuplicateDetectionHistoryTimeWindow: 'PT19S' }, 'Properties.DuplicateDetectionHistoryTimeWindow', /between 00:00:20 and 7\.00:00:00/],
    [{ DuplicateDetectionHistoryTimeWindow: 'P8D' }, 'Properties.DuplicateDetectionHistoryTimeWindow', /between 00:00:20 and 7\.00:00:00/],
    [{ AutoDeleteOnIdle: 'PT4M' }, 'Properties.AutoDeleteOnIdle', /at least 00:05:00/],
    [{ MaxDeliveryCount: 2 ** 31 }, 'Properties.MaxDeliveryCount', /MaxDeliveryCount/],
    [{ UserMetadata: 'u'.repeat(1025) }, 'Properties.UserMetadata', /at most 1024 characters/],
  ])('%j is refused, naming its path', (props, path, message) => {
    expect(() => validateConfig(withQueue(props))).toThrow(`${at}.${path}`);
    expect(() => validateConfig(withQueue(props))).toThrow(message);
  });

  it('accepts the bounds themselves', () => {
    const c = validateConfig(withQueue({ LockDuration: 'PT5M', DuplicateDetectionHistoryTimeWindow: 'PT20S', AutoDeleteOnIdle: 'PT5M', UserMetadata: 'u'.repeat(1024) }));
    expect(c.namespaces[0]!.queues[0]!.properties).toMatchObject({ lockDurationMs: 300_000, duplicateDetectionHistoryTimeWindowMs: 20_000, autoDeleteOnIdleMs: 300_000 });
  });

  it('refuses names Azure refuses: over 260 characters, or with other characters', () => {
    expect(() => validateConfig(withQueue({}, 'a'.repeat(261)))).toThrow(`${at}.Name`);
    expect(() => validateConfig(withQueue({}, 'a b'))).toThrow(`${at}.Name`);
    expect(validateConfig(withQueue({}, 'a'.repeat(260))).namespaces[0]!.queues[0]!.name).toHaveLength(260);
    const sub = { UserConfig: { Namespaces: [{ Name: 'n', Topics: [{ Name: 't', Subscriptions: [{ Name: 's'.repeat(51) }] }] }] } };
    expect(() => validateConfig(sub)).toThrow('UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Name');
  });
});

describe('Config.json Sku', () => {
  const ns = (extra: Record<string, unknown>) => ({ UserConfig: { Namespaces: [{ Name: 'n', ...extra }] } });
  it('is Standard by default, Premium when asked (any case)', () => {
    expect(validateConfig(ns({})).sku).toBe('Standard');
    expect(validateConfig(ns({ Sku: 'premium' })).sku).toBe('Premium');
  });
  it('refuses anything else, and namespaces that disagree', () => {
    expect(() => validateConfig(ns({ Sku: 'Basic' }))).toThrow("UserConfig.Namespaces[0].Sku: expected 'Standard' or 'Premium'");
    const two = { UserConfig: { Namespaces: [{ Name: 'a', Sku: 'Premium' }, { Name: 'b' }] } };
    expect(() => validateConfig(two)).toThrow('UserConfig.Namespaces[1].Sku');
  });
});
