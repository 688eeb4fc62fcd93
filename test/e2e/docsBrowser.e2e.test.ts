import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { localEndpoints, localLogDir } from '../support/endpoints';
import { request } from '../support/http';

/**
 * The docs page as a user meets it: real headless Chromium loads `<gateway>/docs` (Swagger UI
 * served by the docs function), and "try it out" sends real requests to the same origin. Every
 * request the page makes is checked to stay on the gateway: nothing from a CDN, nothing to
 * validator.swagger.io. A failing test leaves a screenshot in the run's log folder.
 */
describe('docs page in a real browser', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  const elsewhere: string[] = [];
  const gateway = (): string => localEndpoints().gateway as string;
  const tag = `browser_${Math.random()
    .toString(36)
    .replace(/[^a-z]/g, '')
    .slice(0, 6)
    .padEnd(6, 'q')}`;

  before(async () => {
    browser = await launchChromium();
    context = browser.context;
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${gateway()}/`)) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    // Without the trailing slash, as a user types it: the page adds it before loading anything relative.
    await page.goto(`${gateway()}/docs`);
    await page.waitForSelector('.opblock', { timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !page) return;
    const file = path.join(localLogDir(), `docs-browser-${this.currentTest.title.replace(/[^\w]+/g, '-').slice(0, 80)}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.error(`screenshot of the failing page: ${file}`);
  });

  after(async () => {
    await browser?.close();
  });

  it('is served at <gateway>/docs/ and lists every operation of the document', async () => {
    assert.equal(page.url(), `${gateway()}/docs/`);
    const doc = (await request(`${gateway()}/docs/openapi.json`)).body as { paths: Record<string, Record<string, unknown>> };
    const expected = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${p}`));
    const listed = await page.$$eval('.opblock', (blocks) =>
      blocks.map(
        (b) => `${b.querySelector('.opblock-summary-method')?.textContent} ${b.querySelector('[data-path]')?.getAttribute('data-path')}`,
      ),
    );
    assert.deepEqual([...new Set(listed)].sort(), expected.sort());
  });

  it("renders the descriptions' Markdown: code spans, not backticks", async () => {
    const description = page.locator('.info .description');
    assert.ok((await description.locator('code').count()) > 5);
    assert.doesNotMatch((await description.textContent()) ?? '', /`/);
  });

  it('runs "try it out" on tagStats and shows the totals the function answers', async () => {
    const added = await request(`${gateway()}/increment-tag`, { method: 'POST', json: { name: tag, value: 7 } });
    assert.equal(added.status, 200, added.text);
    const { status, body } = await tryItOut(page.locator('#operations-Tag_counter-tagStats'));
    assert.equal(status, '200');
    assert.equal((JSON.parse(body) as Record<string, number>)[tag], 7);
  });

  it('runs "try it out" on incrementTag with a refused body and shows the problem, whose type links to its section', async () => {
    const { status, body } = await tryItOut(page.locator('#operations-Tag_counter-incrementTag'), `{"name": "${tag}", "value": 4.0}`);
    assert.equal(status, '400');
    const problem = JSON.parse(body) as { type: string; errors: { pointer: string }[] };
    assert.equal(problem.type, `${gateway()}/docs/#problem-validation-failed`);
    assert.deepEqual(
      problem.errors.map((e) => e.pointer),
      ['#/value'],
    );
    // Nothing was counted.
    assert.equal((await request(`${gateway()}/tag-stats`)).body[tag], 7);

    // The type resolves: the page opens at that section.
    await page.goto(problem.type);
    await page.waitForSelector('.opblock');
    const section = page.locator('#problem-validation-failed');
    await section.waitFor();
    assert.match((await section.textContent()) ?? '', /not valid \(400\)/);
    // Scrolled to it once Swagger UI has rendered (evaluated in the page, so written as page code).
    await page.waitForFunction(
      "(() => { const top = document.getElementById('problem-validation-failed').getBoundingClientRect().top; return top >= -1 && top < innerHeight; })()",
    );
  });

  it('loaded nothing from anywhere but the gateway', () => {
    assert.deepEqual(elsewhere, []);
  });

  /** Opens an operation, presses "Try it out" (filling the body if given), "Execute", and reads the live response. */
  async function tryItOut(operation: Locator, body?: string): Promise<{ status: string; body: string }> {
    await operation.locator('.opblock-summary-control').click();
    await operation.locator('.try-out__btn').click();
    if (body !== undefined) await operation.locator('textarea.body-param__text').fill(body);
    await operation.locator('button.execute').click();
    const response = operation.locator('.live-responses-table .response').first();
    await response.waitFor();
    return {
      status: ((await response.locator('.response-col_status').textContent()) ?? '').trim(),
      body: (await response.locator('.response-col_description pre').first().textContent()) ?? '',
    };
  }
});
