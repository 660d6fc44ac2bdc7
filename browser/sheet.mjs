// The printed sheet of a keeper's codes: every card shows its QR image, the page
// has no WCAG violations, and in print several cards share an A4 page.
// Then a meeting's A4 poster, which must have no violations either.
// args: <username> <password> <poster path>
import { run } from './lib.mjs';

run(async (t) => {
  const [username, password, poster] = t.args;
  const page = await t.page();
  await page.goto('/login');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  await page.goto('/codes/sheet');
  const cards = await page.locator('.code-card').count();
  t.check(cards >= 2, `the sheet has the station's and its deputies' codes (${cards})`);
  await t.axe(page, 'the sheet of codes');
  await page.emulateMedia({ media: 'print' });
  const perRow = await page.evaluate(() => {
    const tops = [...document.querySelectorAll('.code-card')].map((c) => c.getBoundingClientRect().top);
    return tops.filter((top) => top === tops[0]).length;
  });
  t.check(perRow === 3, `three codes to a row in print (${perRow})`);
  t.check(!(await page.isVisible('header.top')), 'the header is left out in print');
  await t.screenshot(page, 'code-sheet-print');
  await page.emulateMedia({ media: 'screen' });
  await page.goto(poster);
  t.check(await page.isVisible('.poster-qr svg'), 'the poster shows its QR code');
  await t.axe(page, 'the meeting poster');
  await page.emulateMedia({ media: 'print' });
  await t.screenshot(page, 'meeting-poster-print');
});
