/**
 * Service Bus semantics as the official ServiceBusAdministrationClient sees them (it runs in a child
 * process that trusts the emulator's CA, see test/http/support): forwarding targets, the order
 * rules are listed in, and correlation filter properties reading back as written.
 */
import { describe, expect, it } from 'vitest';
import { type AdminClientProcess, sdkError } from '../http/support/adminClient.js';
import { withAdminClientEmulator } from './adminHarness.js';
import { uniqueName, type Emulator } from './harness.js';

let emulator: Emulator;
let sdk: AdminClientProcess;
let admin: ReturnType<AdminClientProcess['client']>;
withAdminClientEmulator('sbemu-admin-semantics-', {}, (parts) => {
  ({ emulator, sdk } = parts);
  admin = sdk.client(emulator.adminConnectionString);
});

describe('the admin client', () => {
  it('may make a queue forward to itself, but not to an entity that does not exist', async () => {
    const self = uniqueName('self');
    await expect(admin.call('createQueue', self, { forwardTo: self })).resolves.toMatchObject({ name: self });
    const missing = uniqueName('nowhere');
    const err = await sdkError(admin.call('createQueue', uniqueName('q'), { forwardTo: missing }));
    expect(err).toMatchObject({ statusCode: 400 });
    expect(err.message).toContain(`The auto forwarding destination entity '${missing}' does not exist.`);
    const q = await admin.call('createQueue', uniqueName('q'));
    expect(await sdkError(admin.call('updateQueue', { ...q, forwardDeadLetteredMessagesTo: missing }))).toMatchObject({ statusCode: 400 });
  });

  it('lists rules in name order, page by page', async () => {
    const topic = uniqueName('t');
    await admin.call('createTopic', topic);
    await admin.call('createSubscription', topic, 's');
    for (const name of ['zeta', 'alpha', 'mid', 'beta']) await admin.call('createRule', topic, 's', name, { sqlExpression: '1=1' });
    const pages = await admin.pages('listRules', 2, topic, 's');
    expect(pages.map((p) => p.map((r: { name: string }) => r.name))).toEqual([['$Default', 'alpha'], ['beta', 'mid'], ['zeta']]);
  });

  it('reads correlation filter properties back as written, of every type it writes', async () => {
    const topic = uniqueName('t');
    await admin.call('createTopic', topic);
    await admin.call('createSubscription', topic, 's');
    const applicationProperties = { s: 'x', i: 7, big: 2 ** 40, neg: -12, d: 1.5, whole: 2.0, t: true, f: false, when: '2025-01-02T03:04:05.000Z' };
    await admin.call('createRule', topic, 's', 'typed', { correlationId: 'c', applicationProperties });
    const rule = await admin.call('getRule', topic, 's', 'typed');
    expect(rule.filter).toMatchObject({ correlationId: 'c', applicationProperties });
  });
});
