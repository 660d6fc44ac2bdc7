// The harness itself: the home page and the plain form open in chromium, show
// Chinese, and have no WCAG violations. args: [form path]
import { run } from './lib.mjs';

run(async (t) => {
  const [formPath] = t.args;
  const page = await t.phone();
  const response = await page.goto(formPath);
  t.check(response.ok(), `${formPath} answers ${response.status()}`);
  t.check((await page.getAttribute('html', 'lang')) === 'zh-CN', 'the page says it is in Chinese');
  await t.screenshot(page, 'smoke-form');
  await t.axe(page, 'the submission form');
  t.check(page.jsErrors.length === 0, `no script errors: ${page.jsErrors.join('; ')}`);
});
