/**
 * An entity-level policy end to end with the official JS SDK: the ServiceBusAdministrationClient
 * creates a queue with an authorization rule (its key left for the service to generate, as Azure
 * does), reads the key back, and a ServiceBusClient whose connection string names that rule
 * reaches that queue only.
 */
import { ServiceBusClient, isServiceBusError } from '@azure/service-bus';
import { describe, expect, it } from 'vitest';
import type { AdminClientProcess } from '../http/support/adminClient.js';
import { withAdminClientEmulator } from './adminHarness.js';
import { uniqueName, type Emulator } from './harness.js';

let emulator: Emulator;
let sdk: AdminClientProcess;
withAdminClientEmulator('sbemu-policies-', {}, (parts) => ({ emulator, sdk } = parts));

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isServiceBusError(e) ? e.code : String(e);
  }
};

describe('an entity-level policy through the official JS SDK', () => {
  it('is created with the queue, gets a generated key, and that key reaches that queue only', async () => {
    const admin = sdk.client(emulator.adminConnectionString);
    const q = uniqueName('policy-q');
    const other = uniqueName('policy-other');
    await admin.call('createQueue', q, { authorizationRules: [{ keyName: 'app', accessRights: ['Send', 'Listen'], claimType: 'SharedAccessKey' }] });
    await admin.call('createQueue', other);
    const created = await admin.call('getQueue', q);
    const [rule] = created.authorizationRules;
    expect(rule).toMatchObject({ keyName: 'app', accessRights: ['Send', 'Listen'], claimType: 'SharedAccessKey' });
    expect(rule.primaryKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    // An update that sends the rules back (as getQueue returned them) keeps the keys.
    await admin.call('updateQueue', { ...created, maxDeliveryCount: 3 });
    expect((await admin.call('getQueue', q)).authorizationRules[0].primaryKey).toBe(rule.primaryKey);

    const client = new ServiceBusClient(
      `Endpoint=sb://localhost:${emulator.amqpPort};SharedAccessKeyName=app;SharedAccessKey=${rule.primaryKey};UseDevelopmentEmulator=true;`,
      { retryOptions: { maxRetries: 0, timeoutInMs: 5_000 } },
    );
    await client.createSender(q).sendMessages({ body: 'entity key' });
    const [m] = await client.createReceiver(q, { receiveMode: 'receiveAndDelete' }).receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(m?.body).toBe('entity key');
    expect(await code(client.createSender(other).sendMessages({ body: 'elsewhere' }))).toBe('UnauthorizedAccess');
    await client.close();
  });
});
