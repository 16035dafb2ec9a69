import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadPseudonymKey, pseudonymFor } from '../../src/cases/pseudonym.ts';
import { cases, outbox } from '../../src/store/schema.ts';
import { describeStores } from '../support/stores.ts';
import { type ConsoleServer, startConsoleServer } from './console-server.ts';

/** Debian's chromium package; the CI script installs it when it is missing. */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Generous, because CI runs other test files on the same two cores while the browser waits.
const uiTimeout = 45_000;

describeStores('console journey in chromium', (current) => {
  let server: ConsoleServer;
  let browser: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    server = await startConsoleServer(current().store);
    userDataDir = mkdtempSync(path.join(tmpdir(), 'casebridge-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      args: chromiumArgs,
      headless: true,
    });
    browser.setDefaultTimeout(uiTimeout);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
  });

  async function caseOf(email: string) {
    const db = current().store.db;
    const [row] = await db.select().from(cases).where(eq(cases.subjectEmail, email));
    if (row === undefined) throw new Error(`no case for ${email}`);
    return { key: row.key, pseudonym: pseudonymFor(await loadPseudonymKey(db), row.subjectKey) };
  }

  async function stateOf(key: string) {
    const [row] = await current().store.db.select().from(cases).where(eq(cases.key, key));
    return row?.state;
  }

  /** Waits until the outbox has delivered every message, so that no live refresh races a click. */
  async function settled(): Promise<void> {
    const pending = () =>
      current().store.db.select({ id: outbox.id }).from(outbox).where(eq(outbox.status, 'pending'));
    await expect.poll(async () => (await pending()).length, { timeout: uiTimeout }).toBe(0);
    // The browsers fetch the feed after the last change event.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  async function openAs(email: string): Promise<Page> {
    await settled();
    const page = await browser.newPage();
    await page.goto(`${server.url}/console?as=${encodeURIComponent(email)}`);
    return page;
  }

  async function openDashboard(email: string): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1200, height: 900 });
    await page.goto(`${server.url}/dashboard?as=${encodeURIComponent(email)}`);
    return page;
  }

  function card(page: Page, channel: string, key: string): Locator {
    return page.locator(`section[data-channel="${channel}"] .card[data-case="${key}"]`);
  }

  /** Opens an action's form on a card, fills it, and sends it. */
  async function submitForm(
    cardLocator: Locator,
    action: string,
    fill: (form: Locator) => Promise<void>,
  ): Promise<void> {
    await settled();
    await cardLocator.page().bringToFront();
    const details = cardLocator.locator('details', {
      has: cardLocator.page().locator(`summary:text-is("${action}…")`),
    });
    await details.locator('summary').click();
    const form = details.locator('form');
    await fill(form);
    const page = cardLocator.page();
    const response = page.waitForResponse((candidate) => candidate.url().endsWith('/console/act'));
    await form.getByRole('button', { name: 'Submit' }).click();
    const answered = await response;
    expect(answered.status(), await answered.text().catch(() => '')).toBe(303);
    await page.waitForLoadState('load');
  }

  it('plays both journeys as analyst, HR, manager and Legal', async () => {
    const dana = await caseOf('dana.lee@example.com');
    const sam = await caseOf('sam.ortiz@example.com');

    // The person picker lists the directory; the server's root leads to it.
    const picker = await browser.newPage();
    await picker.goto(`${server.url}/`);
    expect(new URL(picker.url()).pathname).toBe('/console');
    await expect.poll(() => picker.locator('html').getAttribute('lang')).toBe('en');
    await picker.getByRole('link', { name: 'Ann Analyst' }).click();
    await picker.waitForURL(/as=ann\.analyst/);

    // Security sees the pseudonym, never the name.
    const ann = picker;
    const annCard = card(ann, 'security', dana.key);
    await expect
      .poll(() => annCard.locator('[data-field="subject"]').allTextContents())
      .toEqual([dana.pseudonym].flat());
    expect(await ann.locator('#feed').textContent()).not.toContain('Dana Lee');
    expect(await ann.locator('section[data-channel="hr"]').count()).toBe(0);

    // HR's page is open before the escalation and receives the new thread without a reload.
    const hugo = await openAs('hugo.hr@example.com');
    await expect.poll(() => hugo.locator('body').getAttribute('data-live')).toBe('on');
    await submitForm(annCard, 'Escalate to HR', async (form) => {
      await form
        .getByLabel('Summary for HR', { exact: true })
        .fill('Source code synced to a personal Dropbox');
    });
    await card(hugo, 'hr', dana.key).waitFor();
    await expect
      .poll(() => card(hugo, 'hr', dana.key).locator('[data-field="subject"]').textContent())
      .toContain('Dana Lee');

    // Hugo opens the response form; meanwhile Hana chooses to involve the manager, so Hugo's
    // submission comes from a stale card and is refused in a reply only Hugo sees.
    const hugoDetails = card(hugo, 'hr', dana.key).locator('details', {
      has: hugo.locator('summary:text-is("Choose response…")'),
    });
    await hugoDetails.locator('summary').click();
    await hugoDetails
      .getByLabel('Response', { exact: true })
      .selectOption('corrective_conversation');

    const hana = await openAs('hana.hr@example.com');
    expect(await hana.locator('section[data-channel="legal"]').count()).toBe(0);
    await submitForm(card(hana, 'hr', dana.key), 'Choose response', async (form) => {
      await form.getByLabel('Response', { exact: true }).selectOption('involve_manager');
    });
    expect(await stateOf(dana.key)).toBe('manager_notice');

    await Promise.all([
      hugo.waitForURL(/#m-\d+$/),
      hugoDetails.getByRole('button', { name: 'Submit' }).click(),
    ]);
    await expect.poll(() => hugo.locator('article.private').textContent()).toContain('Already');
    expect(await stateOf(dana.key)).toBe('manager_notice');
    expect(await hana.locator('article.private').count()).toBe(0);

    // The manager sees the notice in direct messages: no evidence, only Acknowledge.
    const maria = await openAs('maria.gomez@example.com');
    const notice = maria.locator('section[data-channel="dm:maria.gomez@example.com"]');
    const managerCard = notice.locator(`.card[data-case="${dana.key}"]`);
    await managerCard.waitFor();
    await expect.poll(() => managerCard.getAttribute('data-audience')).toBe('manager');
    expect(await managerCard.locator('.evidence').count()).toBe(0);
    const managerText = await managerCard.textContent();
    expect(managerText).not.toContain('Dropbox');
    expect(managerText).not.toContain('Evidence');
    expect(
      await maria.locator('section[data-channel="security"], section[data-channel="hr"]').count(),
    ).toBe(0);
    await expect
      .poll(() => managerCard.getByRole('button').allTextContents())
      .toEqual([['Acknowledge']].flat());

    await Promise.all([
      maria.waitForURL(/#m-\d+$/),
      managerCard.getByRole('button', { name: 'Acknowledge' }).click(),
    ]);
    expect(await stateOf(dana.key)).toBe('follow_up');
    // Chromium opens at most six HTTP/1.1 connections per host, and each open console page holds
    // one for its event stream, so pages that are done are closed.
    await maria.close();
    await hugo.close();

    // HR closes the case.
    await hana.reload();
    await submitForm(card(hana, 'hr', dana.key), 'Close case', async (form) => {
      await form.getByLabel('Outcome', { exact: true }).selectOption('resolved');
    });
    expect(await stateOf(dana.key)).toBe('closed');
    await ann.reload();
    await expect
      .poll(() => card(ann, 'security', dana.key).locator('[data-field="state"]').allTextContents())
      .toEqual(['Closed'].flat());

    // Second case: serious action with two lawyers.
    await submitForm(card(ann, 'security', sam.key), 'Escalate to HR', async (form) => {
      await form
        .getByLabel('Summary for HR', { exact: true })
        .fill('Bulk clone of repositories before departure');
    });
    await settled();
    await hana.reload();
    await submitForm(card(hana, 'hr', sam.key), 'Choose response', async (form) => {
      await form.getByLabel('Response', { exact: true }).selectOption('serious_action');
      await form
        .getByLabel('Action for Legal to approve (optional)', { exact: true })
        .selectOption('termination');
    });
    expect(await stateOf(sam.key)).toBe('legal_review');

    const leo = await openAs('leo.legal@example.com');
    await submitForm(card(leo, 'legal', sam.key), 'Approve', async () => {});
    expect(await stateOf(sam.key)).toBe('legal_review');
    // Leo approves again from the same card: separation of duties refuses a second approval by him.
    await leo.reload();
    await submitForm(card(leo, 'legal', sam.key), 'Approve', async () => {});
    const refusal = leo.locator('section[data-channel="legal"] article.private');
    await expect.poll(() => refusal.count()).toBe(1);
    expect(await stateOf(sam.key)).toBe('legal_review');
    const lia = await openAs('lia.legal@example.com');
    expect(await lia.locator('article.private').count()).toBe(0);
    await submitForm(card(lia, 'legal', sam.key), 'Approve', async () => {});
    expect(await stateOf(sam.key)).toBe('action');

    await hana.reload();
    await submitForm(card(hana, 'hr', sam.key), 'Record action taken', async (form) => {
      await form
        .getByLabel('What was done', { exact: true })
        .fill('Access revoked and employment ended');
    });
    expect(await stateOf(sam.key)).toBe('closed');

    // The dashboard plots the figures: the screenshot has many colours and the SVGs have marks.
    const board = await openDashboard('ann.analyst@example.com');
    expect(await board.locator('svg[role="img"]').count()).toBeGreaterThanOrEqual(4);
    expect(await board.locator('svg .mark').count()).toBeGreaterThan(3);
    const png = PNG.sync.read(await board.screenshot({ fullPage: true }));
    expect(distinctColours(png)).toBeGreaterThan(20);
    expect(await board.locator('main').textContent()).not.toContain('Sam Ortiz');

    // The case page shows the whole audit timeline, with the pseudonym for security.
    await board.goto(`${server.url}/dashboard/cases/${dana.key}?as=ann.analyst%40example.com`);
    const timeline = await board.locator('ol.timeline').textContent();
    for (const type of ['OPEN', 'ESCALATE', 'CHOOSE_RESPONSE', 'ACKNOWLEDGE', 'CLOSE']) {
      expect(timeline).toContain(type);
    }
    expect(await board.locator('main').textContent()).not.toContain('Dana Lee');
    expect(await board.locator('[data-field="subject"]').textContent()).toBe(dana.pseudonym);
    await board.goto(`${server.url}/dashboard/cases/${dana.key}?as=hana.hr%40example.com`);
    expect(await board.locator('[data-field="subject"]').textContent()).toBe('Dana Lee');
    await board.goto(`${server.url}/dashboard?as=maria.gomez%40example.com`);
    expect(await board.locator('h1').textContent()).toBe('Not allowed');
  }, 480_000);
});

/** Counts the distinct RGB colours of an image; a blank or single-colour page has very few. */
function distinctColours(png: PNG): number {
  const colours = new Set<number>();
  for (let offset = 0; offset < png.data.length; offset += 4) {
    colours.add(
      ((png.data[offset] ?? 0) << 16) |
        ((png.data[offset + 1] ?? 0) << 8) |
        (png.data[offset + 2] ?? 0),
    );
  }
  return colours.size;
}
