/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Driving the dashboard in a real headless browser: Debian's chromium through puppeteer-core (no
 * browser download). Each test file starts its own emulator and browser; every request the page
 * makes is recorded so a test can check that nothing came from outside the emulator.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type HTTPRequest, type Page } from 'puppeteer-core';
import { startEmulator, type Emulator } from '../../src/index.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasBrowser = existsSync(CHROMIUM);
if (!hasBrowser) {
  process.stderr.write(`[test/ui] skipped: no browser at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)\n`);
}

const ROOT = join(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'test/ui/screenshots');
/** SBEMU_UI_DOCS=1 also refreshes the README's screenshots under docs/ui/. */
const DOCS = process.env.SBEMU_UI_DOCS === '1' ? join(ROOT, 'docs/ui') : undefined;

export const CONFIG = {
  UserConfig: {
    Namespaces: [
      {
        Name: 'sbemulatorns',
        Queues: [
          { Name: 'orders', Properties: { MaxDeliveryCount: 3 } },
          { Name: 'jobs', Properties: { RequiresSession: true, LockDuration: 'PT1M' } },
        ],
        Topics: [
          {
            Name: 'events',
            Subscriptions: [
              { Name: 'audit' },
              { Name: 'eu-only', Rules: [{ Name: 'by-region', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: "region = 'eu'" }, Action: { SqlExpression: "SET seen = 'yes'" } } }] },
            ],
          },
        ],
      },
    ],
    Logging: { Type: 'Console' },
  },
};

export interface Harness {
  emulator: Emulator;
  browser: Browser;
  origin: string;
  /** Every URL the pages requested. */
  requests: string[];
  newPage(options?: { width?: number; height?: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const emulator = await startEmulator({ host: '127.0.0.1', amqpPort: 0, amqpsPort: null, httpPort: 0, logLevel: 'silent', clock: 'offset', config: CONFIG as never });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    // Root in a container has no user namespaces for the sandbox; /dev/shm is small there.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run'],
    acceptInsecureCerts: true,
  });
  const requests: string[] = [];
  const origin = `http://127.0.0.1:${emulator.httpPort}`;
  return {
    emulator,
    browser,
    origin,
    requests,
    async newPage({ width = 1280, height = 900 } = {}) {
      const page = await browser.newPage();
      await page.setViewport({ width, height });
      await page.setRequestInterception(true);
      page.on('request', (r: HTTPRequest) => {
        requests.push(r.url());
        void r.continue();
      });
      page.on('pageerror', (e) => process.stderr.write(`[test/ui] page error: ${String(e)}\n`));
      return page;
    },
    async close() {
      await browser?.close();
      await emulator?.close();
    },
  };
}

export async function signIn(page: Page, url: string, key = 'SAS_KEY_VALUE'): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('#key');
  await page.$eval('#key', (el) => ((el as HTMLInputElement).value = ''));
  await page.type('#key', key);
  await page.click('#sign-in');
}

/** Waits until the page text of `selector` matches. */
export async function waitForText(page: Page, selector: string, text: string | RegExp, timeout = 10_000): Promise<void> {
  const source = text instanceof RegExp ? text.source : text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  try {
    await page.waitForFunction(
      (sel, src) => [...document.querySelectorAll(sel)].some((el) => new RegExp(src).test((el as HTMLElement).innerText)),
      { timeout },
      selector,
      source,
    );
  } catch (err) {
    const seen = await page.$$eval(selector, (els) => els.map((el) => (el as HTMLElement).innerText).join('\n---\n')).catch(() => '(none)');
    const toast = await page.$eval('#toast', (el) => el.textContent).catch(() => '');
    throw new Error(`No ${selector} matched ${String(text)} in time. It showed:\n${seen || '(nothing)'}\nLast toast: ${toast}`, { cause: err });
  }
}

/** The next completed poll (the page stamps main[data-updated] after each). */
export async function nextPoll(page: Page): Promise<void> {
  const before = await page.$eval('main', (m) => (m as HTMLElement).dataset.updated ?? '0');
  await page.waitForFunction((b) => ((document.querySelector('main') as HTMLElement).dataset.updated ?? '0') !== b, { timeout: 10_000 }, before);
}

/** Confirms the open confirmation dialog with the keyboard (Tab to Confirm, Enter). */
export async function confirmDialog(page: Page): Promise<void> {
  await page.waitForSelector('dialog#confirm[open]');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.id);
  if (focused !== 'confirm-ok') await page.focus('#confirm-ok');
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog#confirm:not([open])');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) as `${string}.png`, fullPage: true });
  if (DOCS !== undefined) {
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: join(DOCS, `${name}.png`) as `${string}.png`, fullPage: false });
  }
}
