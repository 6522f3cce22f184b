/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The dashboard as a page: nothing loaded from anywhere but the emulator, served over HTTP and
 * HTTPS on the admin port behind the control API's key, usable by keyboard, on a narrow window and
 * in dark mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/index.js';
import { client } from '../sdk/harness.js';
import { hasBrowser, type Harness, nextPoll, screenshot, signIn, startHarness, waitForText } from './browser.js';

let hx: Harness;

describe.skipIf(!hasBrowser)('the dashboard page', () => {
  beforeAll(async () => {
    hx = await startHarness();
    const sb = client(hx.emulator);
    await sb.createSender('orders').sendMessages([{ body: { id: 1 } }, { body: { id: 2 } }]);
    await sb.createSender('jobs').sendMessages({ body: 'x', sessionId: 'a' });
    await sb.close();
  }, 60_000);
  afterAll(() => hx?.close());

  it('loads nothing from outside the emulator on any page', async () => {
    const page = await hx.newPage();
    await signIn(page, `${hx.origin}/emulator/ui/`);
    await page.waitForSelector('#entities');
    for (const hash of ['#/entity/orders/messages', '#/entity/orders/deadletter', '#/entity/jobs/sessions', '#/entity/orders/send', '#/journal', '#/actions', '#/']) {
      await page.evaluate((h) => (location.hash = h), hash);
      await nextPoll(page);
    }
    expect(hx.requests.length).toBeGreaterThan(20);
    const foreign = hx.requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== hx.origin);
    expect(foreign).toEqual([]);
    // Every asset the page references exists (no 404 hiding behind a missing style or module).
    const assets = [...new Set(hx.requests.filter((u) => u.includes('/emulator/ui/') && !u.endsWith('/')))];
    expect(assets.length).toBeGreaterThanOrEqual(10);
    for (const u of assets) expect((await fetch(u)).status, u).toBe(200);
    await page.close();
  });

  it('serves its files with a self-only content security policy; the data needs the key', async () => {
    const index = await fetch(`${hx.origin}/emulator/ui/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(await index.text()).toContain('<script type="module" src="app.js">');
    expect((await fetch(`${hx.origin}/emulator/ui/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${hx.origin}/emulator/ui/nope.js`)).status).toBe(404);
    expect((await fetch(`${hx.origin}/emulator/ui/..%2f..%2fpackage.json`)).status).toBe(404);
    const bare = await fetch(`${hx.origin}/emulator/ui`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/emulator/ui/']);
    expect((await fetch(`${hx.origin}/emulator/entities`)).status).toBe(401);
  });

  it('works over HTTPS on the same port', async () => {
    const page = await hx.newPage();
    await signIn(page, `https://127.0.0.1:${hx.emulator.httpPort}/emulator/ui/`);
    await waitForText(page, '#entities tr[data-path="orders"]', /queue\s+2/);
    await page.close();
  });

  it('can be used with the keyboard alone: sign in, move between pages, open a message', async () => {
    const page = await hx.newPage();
    await page.goto(`${hx.origin}/emulator/ui/`);
    await page.waitForSelector('#key');
    // The key field has focus; Enter submits the form.
    await page.keyboard.type('SAS_KEY_VALUE');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#entities');
    await page.focus('.brand');
    await page.keyboard.press('Tab'); // Overview
    await page.keyboard.press('Tab'); // Journal
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Journal');
    await page.keyboard.press('Enter');
    await waitForText(page, 'h1', 'Journal');
    await page.evaluate(() => (location.hash = '#/'));
    await page.waitForSelector('#entities a[href="#/entity/orders/messages"]');
    await page.focus('#entities a[href="#/entity/orders/messages"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-key="toggle-m1"]');
    await page.focus('[data-key="toggle-m1"]');
    await page.keyboard.press('Space');
    await waitForText(page, 'tr.detail', /"id": 1/);
    // Focus survives the live refresh that re-renders the table.
    await nextPoll(page);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-key'))).toBe('toggle-m1');
    await page.close();
  });

  it('fits a narrow window and follows the dark colour scheme', async () => {
    const page = await hx.newPage({ width: 400, height: 800 });
    await signIn(page, `${hx.origin}/emulator/ui/`);
    await page.waitForSelector('#entities');
    await nextPoll(page);
    // Wide tables scroll inside their box; the page itself does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    await screenshot(page, 'overview-narrow');
    await page.setViewport({ width: 1280, height: 900 });
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect([light, dark]).toEqual(['rgb(247, 248, 250)', 'rgb(15, 18, 22)']);
    await page.evaluate(() => (location.hash = '#/entity/orders/messages'));
    await nextPoll(page);
    await screenshot(page, 'entity-dark');
    await page.close();
  });

  it('is not served when the control API is off', async () => {
    const off = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', controlApi: false });
    try {
      expect((await fetch(`http://127.0.0.1:${off.httpPort}/emulator/ui/`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

