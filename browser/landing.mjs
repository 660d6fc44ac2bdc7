// The pages behind a scanned code: a station's 基本情况, a deputy's page and a
// meeting's page, at 320 px, in large text and in English; each leads to the form
// already addressed.
// args: <station code> <deputy code> <meeting code>
import { run } from './lib.mjs';

run(async (t) => {
  const [station, deputy, meeting] = t.args;
  const page = await t.phone(320);
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  await page.goto(`/q/${station}`);
  t.check((await page.textContent('h2')).includes('基本情况'), 'the station page shows its basics');
  t.check((await page.locator('.landing-record dd').count()) === 4, 'the station page shows its four figures');
  t.check(await fits(), "the station's page fits 320 px");
  await t.screenshot(page, 'landing-station-320');
  await t.axe(page, "the station's page");
  await Promise.all([page.waitForNavigation(), page.click('text=大字版')]);
  t.check(await fits(), "the station's page fits 320 px in large text");
  await t.axe(page, "the station's page in large text");
  await Promise.all([page.waitForNavigation(), page.click('.landing-go a')]);
  t.check(new URL(page.url()).searchParams.has('unit'), `the button opens the form for the station: ${page.url()}`);
  t.check(await page.isVisible('#f-body'), 'the form is there');

  await page.goto(`/q/${deputy}`);
  t.check((await page.textContent('.landing-go a')).includes('给这位代表写信'), 'the deputy page has the button');
  t.check(await page.isVisible('.portrait img'), "the deputy's photo is shown");
  t.check(await page.evaluate(() => document.querySelector('.portrait img').naturalWidth > 0), 'the photo loads');
  t.check(await fits(), "the deputy's page fits 320 px");
  await t.screenshot(page, 'landing-deputy-320');
  await t.axe(page, "the deputy's page");
  await Promise.all([page.waitForNavigation(), page.click('text=English')]);
  t.check((await page.getAttribute('html', 'lang')) === 'en', 'English is one link away');
  t.check(await fits(), "the English deputy's page fits 320 px");
  await t.axe(page, "the deputy's page in English");
  await Promise.all([page.waitForNavigation(), page.click('.landing-go a')]);
  t.check(new URL(page.url()).searchParams.has('representative'), `the button opens the form for the deputy: ${page.url()}`);

  await page.goto(`/q/${meeting}`);
  await Promise.all([page.waitForNavigation(), page.click('text=中文')]);
  t.check((await page.textContent('.landing-go a')).includes('就本次会议反映意见建议'), 'the meeting page has the button');
  t.check(await fits(), "the meeting's page fits 320 px");
  await t.screenshot(page, 'landing-meeting-320');
  await t.axe(page, "the meeting's page");
  await Promise.all([page.waitForNavigation(), page.click('.landing-go a')]);
  const to = new URL(page.url()).searchParams;
  t.check(to.has('unit') && to.has('meeting'), `the button opens the station's form about the meeting: ${page.url()}`);
  t.check((await page.textContent('main')).includes('关于会议'), 'the form names the meeting');
  await t.axe(page, 'the form from a meeting');
});
