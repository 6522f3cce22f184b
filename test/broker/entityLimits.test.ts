/**
 * Azure's property ranges, the namespace SKU and partitioned sizes, as the broker core enforces
 * them on create and update (issue 11 items 13 to 15). Every bound is tried on both sides.
 */
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../src/broker/errors.js';
import { PROPERTIES } from '../../src/broker/propertyCatalogue.js';
import { expectCode, setup } from './helpers.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BrokerError);
    expect((e as BrokerError).code).toBe('ArgumentError');
    return (e as BrokerError).message;
  }
  throw new Error('expected an ArgumentError');
}

describe("Azure's property ranges", () => {
  it.each([
    ['lockDurationMs', 5 * MINUTE, 5 * MINUTE + 1, /lock time exceeds the allowed maximum of '5' minutes/],
    ['duplicateDetectionHistoryTimeWindowMs', 20 * SECOND, 20 * SECOND - 1, /DuplicateDetectionHistoryTimeWindow.*between 00:00:20 and 7\.00:00:00/],
    ['duplicateDetectionHistoryTimeWindowMs', 7 * DAY, 7 * DAY + 1000, /DuplicateDetectionHistoryTimeWindow/],
    ['autoDeleteOnIdleMs', 5 * MINUTE, 5 * MINUTE - 1, /AutoDeleteOnIdle.*at least 00:05:00/],
    ['maxDeliveryCount', 1, 0, /MaxDeliveryCount/],
    ['maxDeliveryCount', 2 ** 31 - 1, 2 ** 31, /MaxDeliveryCount/],
    ['userMetadata', 'm'.repeat(1024), 'm'.repeat(1025), /UserMetadata.*1025 characters.*at most 1024/],
  ])('%s: %s is accepted, %s refused, on create and update', (field, ok, bad, message) => {
    const { broker } = setup();
    broker.createQueue('ok', { [field]: ok });
    expect(broker.getQueue('ok').properties).toMatchObject({ [field]: ok });
    expect(refusal(() => broker.createQueue('bad', { [field]: bad }))).toMatch(message);
    expect(() => broker.getQueue('bad')).toThrow(/could not be found/);
    expect(refusal(() => broker.updateQueue('ok', { [field]: bad }))).toMatch(message);
    expect(broker.getQueue('ok').properties).toMatchObject({ [field]: ok });
  });

  it('applies to subscriptions and topics as well', () => {
    const { broker } = setup();
    broker.createTopic('t');
    expectCode(() => broker.createTopic('t2', { autoDeleteOnIdleMs: MINUTE }), 'ArgumentError');
    expectCode(() => broker.updateTopic('t', { duplicateDetectionHistoryTimeWindowMs: 8 * DAY }), 'ArgumentError');
    expectCode(() => broker.createSubscription('t', 's', { lockDurationMs: 10 * MINUTE }), 'ArgumentError');
    expectCode(() => broker.createSubscription('t', 's', { maxDeliveryCount: 0 }), 'ArgumentError');
  });

  it('names: up to 260 characters with Azure’s characters', () => {
    const { broker } = setup();
    broker.createQueue('a'.repeat(260));
    expectCode(() => broker.createQueue('a'.repeat(261)), 'ArgumentError');
    expectCode(() => broker.createQueue('a b'), 'ArgumentError');
    expectCode(() => broker.createQueue('a#b'), 'ArgumentError');
  });

  it('every range in the catalogue is checked (no property has a range the broker ignores)', () => {
    for (const p of PROPERTIES.filter((d) => d.max !== undefined && d.type !== 'string' && d.field !== 'maxMessageSizeInKilobytes')) {
      const kind = p.kinds[0]!;
      const { broker } = setup();
      if (kind === 'subscription') broker.createTopic('t');
      const create = () =>
        kind === 'queue' ? broker.createQueue('x', { [p.field]: p.max! + 1 }) : kind === 'topic' ? broker.createTopic('x', { [p.field]: p.max! + 1 }) : broker.createSubscription('t', 'x', { [p.field]: p.max! + 1 });
      expectCode(create, 'ArgumentError');
    }
  });
});

describe('namespace SKU', () => {
  it('Standard (the default) refuses MaxMessageSizeInKilobytes other than its fixed 256', () => {
    const { broker } = setup();
    expect(broker.sku).toBe('Standard');
    expect(refusal(() => broker.createQueue('q', { maxMessageSizeInKilobytes: 1024 }))).toMatch(/'MaxMessageSizeInKilobytes'.*'Premium' tier/);
    expectCode(() => broker.createTopic('t', { maxMessageSizeInKilobytes: 1024 }), 'ArgumentError');
    const q = broker.createQueue('q');
    expect(q.properties.maxMessageSizeInKilobytes).toBe(256);
    // A read-modify-write that sends the same value back is fine.
    broker.updateQueue('q', { ...q.properties, maxDeliveryCount: 3 });
    expectCode(() => broker.updateQueue('q', { maxMessageSizeInKilobytes: 512 }), 'ArgumentError');
  });

  it('Premium takes 1,024 to 102,400 KB (default 1,024) and enforces it on sends', () => {
    const { broker } = setup(undefined, { sku: 'Premium' });
    expect(broker.sku).toBe('Premium');
    expect(broker.createQueue('d').properties.maxMessageSizeInKilobytes).toBe(1024);
    broker.createQueue('big', { maxMessageSizeInKilobytes: 102_400 });
    expect(refusal(() => broker.createQueue('q', { maxMessageSizeInKilobytes: 1023 }))).toMatch(/between 1024 and 102400 when the namespace is using 'Premium' tier/);
    expectCode(() => broker.createTopic('t', { maxMessageSizeInKilobytes: 102_401 }), 'ArgumentError');
    broker.createQueue('q', { maxMessageSizeInKilobytes: 2048 });
    broker.send('q', [{ payload: 0, size: 2048 * 1024 }]);
    expectCode(() => broker.send('q', [{ payload: 0, size: 2048 * 1024 + 1 }]), 'MessageSizeExceeded');
    broker.updateQueue('q', { maxMessageSizeInKilobytes: 4096 });
    broker.send('q', [{ payload: 0, size: 4096 * 1024 }]);
  });

  it('refuses an unknown SKU', () => {
    expectCode(() => setup(undefined, { sku: 'Basic' as never }), 'ArgumentError');
  });
});

describe('partitioned entities', () => {
  it('report 16 times the requested MaxSizeInMegabytes, and an update echoing it keeps it', () => {
    const { broker } = setup();
    const q = broker.createQueue('q', { enablePartitioning: true, maxSizeInMegabytes: 1024 });
    expect(q.properties.maxSizeInMegabytes).toBe(16 * 1024);
    expect(broker.updateQueue('q', q.properties).properties.maxSizeInMegabytes).toBe(16 * 1024);
    expect(broker.createTopic('t', { enablePartitioning: true }).properties.maxSizeInMegabytes).toBe(16 * 1024);
    expect(broker.createQueue('plain', { maxSizeInMegabytes: 2048 }).properties.maxSizeInMegabytes).toBe(2048);
  });
});
