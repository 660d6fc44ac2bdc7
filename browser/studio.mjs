// The studio question flow: find a studio in the directory → one of its members →
// ask → the promise to answer in 3 working days and its date → the tracking code →
// the member answers in their inbox → the citizen sees the answer. axe scans each page.
// args: <studio name> <member name> <member username> <password> <promised date>
import { run } from './lib.mjs';

const open = (details) => details.evaluate((d) => { d.open = true; });

run(async (t) => {
  const [studio, member, username, password, date] = t.args;
  const text = '希望工作室帮忙反映一下老年食堂的开放时间。';
  const citizen = await t.phone(320);
  const fits = () => citizen.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  await citizen.goto('/studios');
  t.check(await fits(), 'the directory fits 320 px');
  await t.axe(citizen, 'the studio directory');
  await citizen.fill('#s-q', studio);
  await Promise.all([citizen.waitForNavigation(), citizen.click('.studio-search button[type=submit]')]);
  t.check((await citizen.locator('.studio-list li').count()) >= 1, 'the search finds the studio');
  await t.axe(citizen, 'the directory searched');
  await Promise.all([citizen.waitForNavigation(), citizen.click(`.studio-list a:has-text("${studio}")`)]);
  t.check(await fits(), "the studio's page fits 320 px");
  await t.axe(citizen, "the studio's page");
  await Promise.all([citizen.waitForNavigation(), citizen.click(`.studio-list a:has-text("${member}")`)]);
  t.check(await fits(), "the member's profile fits 320 px");
  await t.axe(citizen, "the member's profile");
  await t.screenshot(citizen, 'studio-1-member');
  await Promise.all([citizen.waitForNavigation(), citizen.click('.landing-go a')]);
  const promise = await citizen.textContent('.promise');
  t.check(promise.includes('委员将在3个工作日内答复') && promise.includes(date), `the promise and its date: ${promise}`);
  await t.axe(citizen, 'the question form');
  await citizen.fill('#f-body', text);
  await citizen.selectOption('#f-category', 'social_security');
  await citizen.check('#f-consent');
  await Promise.all([citizen.waitForNavigation(), citizen.click('form.form button[type=submit]')]);
  const tracking = (await citizen.textContent('.tracking-code output')).trim();
  t.check(/^[A-Z0-9-]{12}$/.test(tracking), `a tracking code is shown: ${tracking}`);
  console.log(`tracking code ${tracking}`);

  // The member signs in, finds the question in the inbox and answers.
  const staff = await t.page();
  await staff.goto('/login');
  await staff.fill('input[name=username]', username);
  await staff.fill('input[name=password]', password);
  await Promise.all([staff.waitForNavigation(), staff.click('main button[type=submit]')]);
  await staff.goto('/cases');
  await Promise.all([staff.waitForNavigation(), staff.click(`a:has-text("${text.slice(0, 8)}")`)]);
  const acknowledge = staff.locator('form[action$="/moves/acknowledge"] button');
  if ((await acknowledge.count()) > 0) {
    await Promise.all([staff.waitForNavigation(), acknowledge.click()]);
  }
  await open(staff.locator('details:has(form[action$="/moves/reply"])'));
  const reply = staff.locator('form[action$="/moves/reply"]');
  await reply.locator('textarea[name=answer]').fill('老年食堂每天中午开放，周末也开。');
  await Promise.all([staff.waitForNavigation(), reply.locator('button[type=submit]').click()]);

  // The citizen sees the member's answer.
  await citizen.goto(`/track/${tracking}`);
  t.check((await citizen.textContent('main')).includes('老年食堂每天中午开放'), 'the citizen sees the answer');
  await t.axe(citizen, 'the tracking page with the answer');
  t.check(citizen.jsErrors.length === 0, `no script errors: ${citizen.jsErrors.join('; ')}`);
});
