// A background export as the county office starts it: from the case list narrowed
// as a cockpit figure links to it, press 导出 Excel, watch the progress page (htmx
// polls it) reach done with no script errors, and download the part. Checks
// accessibility of the progress page.
// args: <username> <password> <list-path> <xlsx-path>
// Prints `export rows N` for the Rust test, which opens the saved workbook.
import { run } from './lib.mjs';

run(async (t) => {
  const [username, password, listPath, xlsxPath] = t.args;
  const page = await t.page({ acceptDownloads: true });
  await page.goto('/login');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);

  await page.goto(listPath);
  const total = Number(await page.getAttribute('p.count', 'data-total'));
  t.check(total > 0, `the list holds cases (${total})`);
  await Promise.all([page.waitForURL(/\/exports\/[^/]+$/), page.click('form.export-buttons button[value=xlsx]')]);
  console.log(`export started at ${new URL(page.url()).pathname}`);
  // htmx replaces the progress part until the export is done.
  await page.waitForSelector('#export-progress[data-state=done]', { timeout: 60_000 });
  const summary = (await page.textContent('#export-progress .summary')).trim();
  t.check(summary.includes(String(total)), `the page says how many rows: ${summary}`);
  const done = Number(await page.getAttribute('#export-progress .summary', 'data-done'));
  t.check(done === total, `all ${total} rows exported (${done})`);
  t.check(Number(await page.getAttribute('#export-bar', 'value')) === Number(await page.getAttribute('#export-bar', 'max')),
    'the bar is full');
  t.check(page.jsErrors.length === 0, `no script errors: ${page.jsErrors.join('; ')}`);
  await t.axe(page, 'the export progress page');
  await t.screenshot(page, 'export-done');
  const links = page.locator('#export-progress ul.export-parts a');
  t.check((await links.count()) === 1, 'one part to download');
  const [download] = await Promise.all([page.waitForEvent('download'), links.first().click()]);
  t.check(download.suggestedFilename().endsWith('.xlsx'), download.suggestedFilename());
  await download.saveAs(xlsxPath);
  await page.goto('/exports');
  t.check((await page.locator('table.exports tbody tr').count()) === 1, 'the export is listed in 我的导出');
  await t.axe(page, 'my exports');
  console.log(`export rows ${total}`);
});
