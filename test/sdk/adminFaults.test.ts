/**
 * Admin faults: an armed `admin` fault answers the next admin API (ATOM) requests on an entity with
 * the HTTP error Azure gives, so the official ServiceBusAdministrationClient's own retry policy is
 * what a test exercises. The admin client runs in a child process that trusts the emulator's CA.
 */
import { describe, expect, it } from 'vitest';
import { generateSasToken } from '../../src/auth/sas.js';
import type { Emulator } from '../../src/index.js';
import { type AdminClientProcess, sdkError } from '../http/support/adminClient.js';
import { withAdminClientEmulator } from './adminHarness.js';

let emulator: Emulator;
let sdk: AdminClientProcess;

withAdminClientEmulator('sbemu-admin-faults-', {}, (parts) => {
  ({ emulator, sdk } = parts);
  emulator.broker.createQueue('orders');
  emulator.broker.createTopic('events');
  emulator.broker.createSubscription('events', 'audit');
});

const admin = () => sdk.client(emulator.adminConnectionString);

describe('admin faults with the official admin client', () => {
  it('retries through a server-busy answer (503) and gets the queue', async () => {
    const fault = emulator.faults.inject({ entity: 'orders', operation: 'admin', error: 'server-busy' });
    expect(fault).toMatchObject({ operation: 'admin', count: 1, hits: 0 });
    await expect(admin().call('getQueue', 'orders')).resolves.toMatchObject({ name: 'orders' });
    expect(emulator.faults.list()).toEqual([]);
  });

  it('surfaces an error the policy does not retry, on that entity and what is under it only', async () => {
    emulator.faults.inject({ entity: 'events', operation: 'admin', error: 'not-found', count: 2 });
    await expect(admin().call('getQueue', 'orders')).resolves.toMatchObject({ name: 'orders' });
    expect(await sdkError(admin().call('getSubscription', 'events', 'audit'))).toMatchObject({ statusCode: 404 });
    expect(await sdkError(admin().all('listRules', 'events', 'audit'))).toMatchObject({ statusCode: 404 });
    expect(emulator.faults.list()).toEqual([]);
    await expect(admin().call('getSubscription', 'events', 'audit')).resolves.toMatchObject({ subscriptionName: 'audit' });
  });

  it("answers with Azure's error body, and never before the token check", async () => {
    emulator.faults.inject({ entity: 'orders', operation: 'admin', error: 'server-busy', count: 2 });
    const url = `http://127.0.0.1:${emulator.httpPort}/orders?api-version=2021-05`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    const token = generateSasToken(url, 'RootManageSharedAccessKey', 'SAS_KEY_VALUE', Date.now() / 1000 + 60);
    const busy = await fetch(url, { headers: { authorization: token } });
    expect(busy.status).toBe(503);
    expect(await busy.text()).toMatch(/<Error><Code>503<\/Code><Detail>[^<]+<\/Detail><\/Error>/);
    expect(emulator.faults.list()).toMatchObject([{ hits: 1 }]);
    emulator.faults.clear();
    expect((await fetch(url, { headers: { authorization: token } })).status).toBe(200);
  });
});
