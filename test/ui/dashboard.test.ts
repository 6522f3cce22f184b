/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The dashboard in a real browser: messages sent with the official JS SDK appear on each page, and
 * each action the page offers has its effect, checked back through the SDK. Screenshots of every
 * page go to test/ui/screenshots/.
 */
import { ServiceBusClient, type ServiceBusReceiver } from '@azure/service-bus';
import Long from 'long';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../sdk/harness.js';
import { confirmDialog, hasBrowser, type Harness, nextPoll, screenshot, signIn, startHarness, waitForText } from './browser.js';

let hx: Harness;
let page: Page;
let sb: ServiceBusClient;
// From the first message: the SDK's peek otherwise resumes after the last one any receiver of the entity peeked.
const peekAll = (r: ServiceBusReceiver) => r.peekMessages(100, { fromSequenceNumber: Long.ZERO });
const ui = () => `${hx.origin}/emulator/ui/`;
const go = async (hash: string) => {
  await page.evaluate((h) => (location.hash = h), hash);
  await nextPoll(page);
};

describe.skipIf(!hasBrowser)('the dashboard, driven in chromium', () => {
  beforeAll(async () => {
    hx = await startHarness();
    sb = client(hx.emulator);
    page = await hx.newPage();
  }, 60_000);
  afterAll(async () => {
    await sb?.close();
    await hx?.close();
  });

  it('asks for the key, refuses a wrong one, and signs in with the right one', async () => {
    await signIn(page, ui(), 'wrong');
    await waitForText(page, '.login .error', /Basic credentials|refused|Unauthorized/);
    await screenshot(page, 'sign-in');
    await signIn(page, ui());
    await page.waitForSelector('#entities');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(1);
  });

  it('Overview: every entity with live counts and a chart, and the emulator clock', async () => {
    const sender = sb.createSender('orders');
    await sender.sendMessages([
      { body: { order: 1, item: 'book' }, messageId: 'order-1', contentType: 'application/json' },
      { body: { order: 2, item: 'pen' }, messageId: 'order-2' },
      { body: 'third', messageId: 'order-3', applicationProperties: { priority: 5 } },
    ]);
    await sb.createSender('events').sendMessages({ body: 'hello', applicationProperties: { region: 'eu' } });
    await waitForText(page, '#entities tr[data-path="orders"]', /\b3\b/);
    const row = await page.$$eval('#entities tr[data-path="orders"] td', (tds) => tds.map((t) => (t as HTMLElement).innerText));
    expect(row.slice(0, 2)).toEqual(['queue', '3']);
    await waitForText(page, '#entities tr[data-path="events/Subscriptions/eu-only"]', /subscription\s+1/);
    expect(await page.$$eval('#entities tr[data-path="orders"] svg.spark path.series.active', (p) => p.length)).toBe(1);
    await waitForText(page, '#clock', /Emulator time \d{4}-\d\d-\d\d/);
    await screenshot(page, 'overview');
  });

  it('Entity page: the messages table, a message expanded to its pretty JSON body and properties', async () => {
    const receiver = sb.createReceiver('orders');
    const [locked] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await go('#/entity/orders/messages');
    await waitForText(page, '#tab-content table', /order-1[\s\S]*order-2[\s\S]*order-3/);
    const first = await page.$$eval('#tab-content tbody tr[data-seq="1"] td', (tds) => tds.map((t) => (t as HTMLElement).innerText));
    // Locked on its first delivery: no failed attempt counted yet (the JS SDK reports 0 too).
    expect(first.slice(1, 6)).toEqual(['1', 'order-1', '', 'locked', '0']);
    expect(first[8]).toMatch(/^[\w.:-]+/); // the connection holding the lock
    // Keyboard: focus the expander of message 3 and open it with Enter.
    await page.focus('[data-key="toggle-m3"]');
    await page.keyboard.press('Enter');
    await waitForText(page, 'tr.detail', /Body \(JSON\)[\s\S]*"third"[\s\S]*priority/);
    await page.click('[data-key="toggle-m1"]');
    await waitForText(page, 'tr.detail', /"order": 1,\n\s+"item": "book"/);
    await screenshot(page, 'entity');
    await receiver.abandonMessage(locked!);
    await receiver.close();
  });

  it('Dead-letter queue: reason and description; resubmit puts the message back in the queue', async () => {
    const receiver = sb.createReceiver('orders');
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(m!.messageId).toBe('order-1');
    await receiver.deadLetterMessage(m!, { deadLetterReason: 'ValidationFailed', deadLetterErrorDescription: 'item is out of stock' });
    await go('#/entity/orders/deadletter');
    await waitForText(page, '#tab-content table', /ValidationFailed\s+item is out of stock/);
    await screenshot(page, 'dead-letter');
    await page.click('[data-key="resubmit-d1"]');
    await waitForText(page, '#tab-content', /dead-letter queue is empty/);
    const [back] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(back).toMatchObject({ messageId: 'order-2' });
    await receiver.abandonMessage(back!);
    const peeked = await peekAll(receiver);
    const resubmitted = peeked.find((p) => p.messageId === 'order-1');
    expect(resubmitted).toMatchObject({ body: { order: 1, item: 'book' }, deliveryCount: 0 });
    expect(resubmitted!.deadLetterReason).toBeUndefined();
    await receiver.close();
  });

  it('Delete a message (after confirming) and send one from the form, both seen through the SDK', async () => {
    await go('#/entity/orders/messages');
    await waitForText(page, '#tab-content', /order-3/);
    await page.click('[data-key="delete-m3"]');
    await confirmDialog(page);
    await nextPoll(page);
    const receiver = sb.createReceiver('orders');
    expect((await peekAll(receiver)).map((p) => p.messageId).sort()).toEqual(['order-1', 'order-2']);

    await go('#/entity/jobs/send');
    await page.waitForSelector('#send-body');
    await page.$eval('#send-body', (el) => ((el as HTMLTextAreaElement).value = '{"job": "resize", "size": 512}'));
    await page.type('#send-session-id', 'user-42');
    await page.type('#send-message-id', 'job-1');
    await page.type('#send-properties', '{"tenant": "contoso", "attempt": 1}');
    await screenshot(page, 'send');
    await page.click('#send-submit');
    await waitForText(page, '#toast', /sequence number 1/);
    const session = await sb.acceptSession('jobs', 'user-42');
    const [job] = await session.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(job).toMatchObject({ body: { job: 'resize', size: 512 }, messageId: 'job-1', sessionId: 'user-42', contentType: 'application/json', applicationProperties: { tenant: 'contoso', attempt: 1 } });
    await session.abandonMessage(job!);
    await session.setSessionState({ step: 2, resized: ['a.png'] });
    await sb.createSender('jobs').sendMessages([{ body: 'later', sessionId: 'user-7' }]);

    // Sessions: counts, decoded state, who holds the lock and until when.
    await go('#/entity/jobs/sessions');
    await waitForText(page, '#tab-content tr[data-session="user-42"]', /"step": 2[\s\S]*\d{2}:\d{2}:\d{2}/);
    const cells = await page.$$eval('#tab-content tr[data-session="user-42"] td', (tds) => tds.map((t) => (t as HTMLElement).innerText));
    expect(cells.slice(0, 4)).toEqual(['1', '0', '0', '0']); // abandoned: active again, the session still held
    expect(cells[6]).not.toBe('');
    await waitForText(page, '#tab-content tr[data-session="user-7"]', /not locked/);
    await screenshot(page, 'sessions');
    await session.close();
    await receiver.close();
  });

  it('Rules of a subscription, and the journal timeline of an entity in order', async () => {
    await go(`#/entity/${encodeURIComponent('events/Subscriptions/eu-only')}/rules`);
    await waitForText(page, '#tab-content table', /by-region\s+sql\s+region = 'eu'\s+SET seen = 'yes'/);
    await screenshot(page, 'rules');

    await go(`#/journal?entity=orders`);
    await waitForText(page, '#journal table', /deadlettered/);
    const types = await page.$$eval('#journal tbody tr td:nth-child(4)', (tds) => tds.map((t) => (t as HTMLElement).innerText));
    const expected = hx.emulator.journal({ entity: 'orders' }).map((e) => e.type);
    expect(types).toEqual(expected);
    expect(types.slice(0, 3)).toEqual(['enqueued', 'enqueued', 'enqueued']);
    expect(types).toContain('deleted');
    expect(await page.$$eval('#journal tbody tr:first-child td.lanes span', (s) => s.length)).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'journal');
  });

  it('Clock, faults and reset: advance expires a TTL, a fault fails an SDK send, reset clears everything', async () => {
    await sb.createSender('orders').sendMessages({ body: 'short-lived', messageId: 'ttl-1', timeToLive: 30 * 60_000 });
    await go('#/actions');
    await page.$eval('#advance-by', (el) => ((el as HTMLInputElement).value = ''));
    await page.type('#advance-by', 'PT1H');
    await page.click('#advance');
    await waitForText(page, '#toast', /The clock is now/);
    expect(hx.emulator.clock.offsetMs).toBe(3_600_000);
    const receiver = sb.createReceiver('orders');
    expect((await peekAll(receiver)).map((p) => p.messageId)).not.toContain('ttl-1');

    await page.select('#fault-entity', 'orders');
    await page.select('#fault-operation', 'send');
    await page.select('#fault-error', 'server-busy');
    await page.click('#arm');
    await waitForText(page, '#faults table', /orders\s+send\s+server-busy/);
    await screenshot(page, 'actions');
    await expect(sb.createSender('orders').sendMessages({ body: 'refused' })).rejects.toMatchObject({ code: 'ServiceBusy' });
    await page.click('#clear-faults');
    await waitForText(page, '#faults', /No armed faults/);
    await sb.createSender('orders').sendMessages({ body: 'accepted' });

    hx.emulator.broker.createQueue('made-at-runtime');
    await sb.createSender('made-at-runtime').sendMessages({ body: 'fine before the reset' });
    await page.click('#reset');
    await confirmDialog(page);
    await waitForText(page, '#toast', /Reset: 1 entities removed/);
    await expect(sb.createSender('made-at-runtime').sendMessages({ body: 'gone' })).rejects.toMatchObject({ code: 'MessagingEntityNotFound' });
    expect(await peekAll(receiver)).toHaveLength(0);
    await receiver.close();
  });

  it('Purge asks first; cancelling keeps the messages, confirming empties the queue', async () => {
    await sb.createSender('orders').sendMessages([{ body: 'a' }, { body: 'b' }]);
    // The overview again, now that its charts have seconds of history to draw.
    await go('#/');
    await waitForText(page, '#entities tr[data-path="orders"]', /queue\s+2/);
    await screenshot(page, 'overview');
    await go('#/entity/orders/messages');
    await page.click('[data-key="purge"]');
    await page.waitForSelector('dialog#confirm[open]');
    await page.keyboard.press('Enter'); // the focused button is Cancel
    await page.waitForSelector('dialog#confirm:not([open])');
    const receiver = sb.createReceiver('orders');
    expect(await peekAll(receiver)).toHaveLength(2);
    await page.click('[data-key="purge"]');
    await confirmDialog(page);
    await waitForText(page, '#toast', /Purged 2 message/);
    expect(await peekAll(receiver)).toHaveLength(0);
    await receiver.close();
  });
});
