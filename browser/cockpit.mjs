// The cockpit as the county office uses it: open it, check that every figure
// clicked lists exactly the cases it counts, drill down county → town → station →
// representative → the case list → one case, download a list as CSV and as XLSX,
// and find no WCAG 2.1 A/AA violations on the way.
// args: <username> <password> <from> <xlsx-path>
// Prints `xlsx rows N header H` for the Rust test, which opens the saved workbook.
import { readFileSync } from 'node:fs';
import { run } from './lib.mjs';

// The case list says how many cases it holds in `data-total`.
async function listed(page) {
  return Number(await page.getAttribute('p.count', 'data-total'));
}

// The figures of the first body row of a section's table whose received figure is
// not zero, with the row's name link: [{n, href}], nameHref, name.
async function row(page, section, pick = () => true) {
  return (await rows(page, section)).find(pick);
}

// Every such row of the section's table.
async function rows(page, section) {
  const all = await page.$$eval(`section[aria-labelledby=${section}] table tbody tr`, (trs) =>
    trs.map((tr) => ({
      name: tr.querySelector('th a')?.textContent.trim(),
      nameHref: tr.querySelector('th a')?.getAttribute('href'),
      figures: [...tr.querySelectorAll('td a')].map((a) => ({ n: Number(a.textContent), href: a.getAttribute('href') })),
    })));
  return all.filter((r) => r.figures.length > 0 && r.figures[0].n > 0);
}

async function checkFigures(t, page, where, figures) {
  const names = ['received', 'acknowledged', 'answered directly', 'forwarded', 'answered', 'closed'];
  t.check(figures.length === names.length, `${where}: six linked figures (${figures.length})`);
  for (const [i, f] of figures.entries()) {
    await page.goto(f.href);
    const total = await listed(page);
    t.check(total === f.n, `${where}: the ${names[i]} figure ${f.n} lists ${total} cases (${f.href})`);
  }
  console.log(`${where}: each of the six figures lists exactly the cases it counts`);
}

run(async (t) => {
  const [username, password, from, xlsxPath] = t.args;
  const page = await t.page({ acceptDownloads: true });
  await page.goto('/login');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);

  const county = `/cockpit?from=${from}`;
  await page.goto(county);
  await page.waitForSelector('.chart canvas');
  await t.axe(page, 'the cockpit');
  await t.screenshot(page, 'cockpit-county');
  const totals = await row(page, 'totals');
  t.check(totals, 'the county has cases in the period');
  await checkFigures(t, page, 'the county totals', totals.figures);

  // County → town.
  await page.goto(county);
  const town = await row(page, 'drill', (r) => r.nameHref.startsWith('/cockpit?'));
  t.check(town, 'a town with cases');
  await page.click(`section[aria-labelledby=drill] th a[href="${town.nameHref}"]`);
  await page.waitForURL(/region=/);
  t.check((await page.textContent('nav.breadcrumb')).includes(town.name), `the trail names ${town.name}`);
  const townTotals = await row(page, 'totals');
  t.check(townTotals.figures[0].n === town.figures[0].n, `the town's page sums what the county's row showed`);
  await t.axe(page, 'a town in the cockpit');
  await checkFigures(t, page, `the town ${town.name}`, town.figures);

  // Town → station: the first station with cases addressed to a representative.
  await page.goto(town.nameHref);
  const stations = await rows(page, 'stations');
  t.check(stations.length > 0, `a station of ${town.name} with cases`);
  let station;
  let rep;
  for (const candidate of stations.slice(0, 8)) {
    await page.goto(candidate.nameHref);
    rep = await row(page, 'reps');
    station = candidate;
    if (rep) break;
  }
  t.check(rep, `a station of ${town.name} with a representative's cases`);
  await page.goto(town.nameHref);
  await page.click(`section[aria-labelledby=stations] th a[href="${station.nameHref}"]`);
  await page.waitForURL(/unit=/);
  t.check((await page.textContent('main h2')).includes(station.name), `the station's page is ${station.name}`);
  const stationTotals = await row(page, 'totals');
  t.check(stationTotals.figures[0].n === station.figures[0].n, `the station's page sums what the town's row showed`);
  await t.axe(page, 'a station in the cockpit');
  await t.screenshot(page, 'cockpit-station');
  await checkFigures(t, page, `the station ${station.name}`, station.figures);

  // Station → representative → the case list → one case.
  await checkFigures(t, page, `the representative ${rep.name}`, rep.figures);
  await page.goto(rep.nameHref);
  const total = await listed(page);
  const items = await page.locator('ul.case-list li').count();
  t.check(total === rep.figures[0].n && items === Math.min(total, 20), `the list shows ${items} of ${total} cases`);
  await t.axe(page, "a representative's cases");
  const first = page.locator('ul.case-list li .case-title a').first();
  const code = (await page.locator('ul.case-list li .code').first().textContent()).trim();
  await Promise.all([page.waitForURL(/\/cases\/[^?]+$/), first.click()]);
  t.check((await page.textContent('main')).includes(code), `the case page shows ${code}`);
  console.log(`drilled down to case ${code}`);

  // A hot word → the cases whose text contains it.
  await page.goto(county);
  const word = await page.$eval('section[aria-labelledby=words] tbody tr', (tr) => ({
    word: tr.querySelector('th a').textContent.trim(),
    n: Number(tr.querySelector('td a').textContent),
    href: tr.querySelector('td a').getAttribute('href'),
  }));
  await page.goto(word.href);
  const containing = await listed(page);
  t.check(containing >= word.n, `${word.n} cases gave ${word.word}; ${containing} contain it`);
  t.check((await page.textContent('ul.case-list')).length > 0, 'the cases are listed');
  console.log(`hot word ${word.word}: ${word.n} cases, ${containing} listed`);

  // A list downloaded as CSV and as XLSX: the table's header and rows.
  await page.goto(county);
  const table = await page.$$eval('section[aria-labelledby=drill] table', ([t]) => ({
    header: [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
    rows: t.querySelectorAll('tbody tr').length,
  }));
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.click('section[aria-labelledby=drill] .downloads a:text-is("CSV")'),
  ]);
  const text = readFileSync(await csv.path(), 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  t.check(lines[0] === table.header.join(','), `the CSV header is the table's: ${lines[0]}`);
  t.check(lines.length - 1 === table.rows, `the CSV has the table's ${table.rows} rows (${lines.length - 1})`);
  t.check(csv.suggestedFilename().endsWith('.csv'), csv.suggestedFilename());
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.click('section[aria-labelledby=drill] .downloads a:text-is("XLSX")'),
  ]);
  t.check(xlsx.suggestedFilename().endsWith('.xlsx'), xlsx.suggestedFilename());
  await xlsx.saveAs(xlsxPath);
  console.log(`xlsx rows ${table.rows} header ${table.header.join('|')}`);
});
