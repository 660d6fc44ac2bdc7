// At 320 px wide, in the large-text mode (适老化) and in English: the form still
// fits the screen without sideways scrolling, the mode survives a reload, and
// axe finds no WCAG violations. args: [form path]
import { run } from './lib.mjs';

run(async (t) => {
  const [formPath] = t.args;
  const page = await t.phone(320);
  await page.goto(formPath);
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  t.check(await fits(), 'the form fits 320 px');
  await Promise.all([page.waitForNavigation(), page.click('text=大字版')]);
  t.check(await page.evaluate(() => document.documentElement.classList.contains('large-text')), 'large text is on');
  await page.reload();
  t.check(await page.evaluate(() => document.documentElement.classList.contains('large-text')), 'it stays on');
  const size = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  t.check(size >= 20, `the text is large (${size}px)`);
  t.check(await fits(), 'the large-text form fits 320 px');
  await t.screenshot(page, 'large-text-320');
  await t.axe(page, 'the form in large text at 320 px');
  await Promise.all([page.waitForNavigation(), page.click('text=English')]);
  t.check((await page.getAttribute('html', 'lang')) === 'en', 'English is one link away');
  t.check(await fits(), 'the English form fits 320 px');
  await t.axe(page, 'the form in English');
});
