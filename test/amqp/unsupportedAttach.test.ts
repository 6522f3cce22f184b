/**
 * What Qpid JMS sends for JMS features Service Bus (standard tier) does not have, in raw frames:
 * each is refused with amqp:not-implemented instead of being served as an ordinary link, which
 * would ignore a selector or let a QueueBrowser consume the messages it meant to look at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import rhea from 'rhea';
import { frames } from './rawClient.js';
import { Raw, encodeMessage } from './engineClient.js';
import { startTestEmulator, uniqueName, type Emulator } from '../sdk/harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const filter: any = (rhea as any).filter;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

/** The refusal Azure-style: an attach with null terminus, then a detach carrying the error. */
async function refusal(raw: Raw, name: string) {
  const h = await raw.handleOf(name);
  const detach = await raw.c.waitFor(() => raw.frames('detach').find((f) => f.performative.handle === h), 5000);
  const attach = raw.frames('attach').find((f) => f.performative.handle === h)!;
  return { h, attach: attach.performative, error: detach.performative.error };
}

const queueWith = (...bodies: string[]) => {
  const q = uniqueName('jms');
  emulator.broker.createQueue(q);
  for (const body of bodies) emulator.broker.send(q, [{ payload: encodeMessage({ body }), size: 10 }]);
  return q;
};

describe('attaches Qpid JMS makes for features Service Bus lacks', () => {
  it("a consumer with a JMS selector (apache.org:selector-filter:string) is refused, not served unfiltered", async () => {
    const raw = await Raw.authorized(emulator.amqpPort);
    raw.attach(0, 'selector', 'receiver', { source: { address: queueWith('blue'), filter: filter.selector("color = 'red'") }, target: {} });
    raw.flow(0, 0, 10);
    const { h, attach, error } = await refusal(raw, 'selector');
    expect(attach.source?.type?.name).toBe('Null');
    expect(error).toMatchObject({ condition: 'amqp:not-implemented' });
    expect(error.description).toMatch(/apache\.org:selector-filter:string.*selectors are not supported/);
    expect(raw.frames('transfer').filter((f) => f.performative.handle === h)).toHaveLength(0);
    raw.close();
  });

  it("a QueueBrowser (distribution-mode 'copy') is refused, and the message stays", async () => {
    const q = queueWith('look, do not take');
    const raw = await Raw.authorized(emulator.amqpPort);
    raw.attach(0, 'browser', 'receiver', { source: { address: q, distribution_mode: 'copy' }, target: {}, snd_settle_mode: 1 });
    raw.flow(0, 0, 10);
    const { error } = await refusal(raw, 'browser');
    expect(error).toMatchObject({ condition: 'amqp:not-implemented' });
    expect(error.description).toMatch(/distribution-mode 'copy' \(a JMS QueueBrowser or durable subscriber\) is not supported/);
    expect(emulator.broker.runtime(q).activeMessageCount).toBe(1);
    raw.close();
  });

  it('a temporary queue (a dynamic source) is refused', async () => {
    const raw = await Raw.authorized(emulator.amqpPort);
    raw.attach(0, 'temp', 'receiver', { source: { dynamic: true }, target: {} });
    const { error } = await refusal(raw, 'temp');
    expect(error).toMatchObject({ condition: 'amqp:not-implemented' });
    expect(error.description).toMatch(/temporary queues/);
    raw.close();
  });

  it('a receiver with the session filter is still served', async () => {
    const q = uniqueName('jms-session');
    emulator.broker.createQueue(q, { requiresSession: true });
    const raw = await Raw.authorized(emulator.amqpPort);
    raw.attach(0, 'session', 'receiver', { source: { address: q, filter: { 'com.microsoft:session-filter': 's1' } }, target: {} });
    const h = await raw.handleOf('session');
    const attach = raw.frames('attach').find((f) => f.performative.handle === h)!;
    expect(attach.performative.source?.type?.name).not.toBe('Null');
    expect(raw.frames('detach')).toHaveLength(0);
    raw.close();
  });
});
