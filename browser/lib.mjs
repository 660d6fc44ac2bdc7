// The shared part of every browser script: launch Debian's chromium headless,
// open pages against the server the Rust test started, check accessibility with
// axe-core, take screenshots, and report failure through the exit code.
//
// A script is `node browser/<name>.mjs <base-url> [args...]`, run by
// tests/it/browser.rs (`run_script`). It calls `run(async (t) => { ... })`;
// throwing (or a failed `t.check`) fails the Rust test with the message.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  // A fake microphone, allowed without asking, for recording in the browser.
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
// The WCAG 2.1 A and AA rules; the issue asks for zero violations on citizen pages.
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// A whole script may not run longer than this (a hung page must not hang `cargo test`).
const SCRIPT_LIMIT_MS = 180_000;

const here = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = process.env.MINYI_SCREENSHOTS || join(here, 'screenshots');

/** Runs `body(t)` with a fresh browser; exits 0 on success, 1 with the reason otherwise. */
export async function run(body) {
  const [base, ...args] = process.argv.slice(2);
  if (!base) {
    console.error('usage: node <script>.mjs <base-url> [args...]');
    process.exit(2);
  }
  const limit = setTimeout(() => {
    console.error(`browser script: still running after ${SCRIPT_LIMIT_MS / 1000} s, stopped`);
    process.exit(1);
  }, SCRIPT_LIMIT_MS);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
    await body(new Session(browser, base, args));
    clearTimeout(limit);
    await browser.close();
    process.exit(0);
  } catch (error) {
    console.error(`browser script failed: ${error && error.stack ? error.stack : error}`);
    if (browser) await browser.close().catch(() => {});
    process.exit(1);
  }
}

class Session {
  constructor(browser, base, args) {
    this.browser = browser;
    this.base = base.replace(/\/$/, '');
    this.args = args;
  }

  /** A new page in its own context (own cookies and storage); `options` as for Playwright's newContext. */
  async page(options = {}) {
    const context = await this.browser.newContext({ locale: 'zh-CN', baseURL: this.base, ...options });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.jsErrors = errors;
    return page;
  }

  /** A page as a phone held upright (360 × 740, touch) or as narrow as `width`. */
  async phone(width = 360) {
    return this.page({ viewport: { width, height: 740 }, isMobile: true, hasTouch: true });
  }

  /** Fails with the rule, its impact and the first offending elements when axe finds any violation. */
  async axe(page, what) {
    const result = await new AxeBuilder({ page }).withTags(WCAG).analyze();
    if (result.violations.length > 0) {
      const lines = result.violations.map(
        (v) => `  ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`,
      );
      throw new Error(`axe: ${result.violations.length} WCAG violation(s) on ${what} (${page.url()}):\n${lines.join('\n')}`);
    }
    console.log(`axe: no violations on ${what}`);
  }

  /** Saves a full-page PNG under SCREENSHOTS (git-ignored) to look at. */
  async screenshot(page, name) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** Fails with `message` unless `condition` holds. */
  check(condition, message) {
    if (!condition) throw new Error(`check failed: ${message}`);
  }
}
