// The citizen's journey, end to end: scan a station's code → the form, with a
// photo and a voice file → the tracking code → the deputy answers in their inbox
// → the citizen sees the answer and rates it. axe scans every citizen page.
// args: <station code> <deputy username> <password> <photo file> <voice file>
import { run } from './lib.mjs';

/** Opens a folded move form (it may be open already). */
const open = (details) => details.evaluate((d) => { d.open = true; });

run(async (t) => {
  const [code, deputy, password, photoPath, voicePath] = t.args;
  const text = '村口的路灯坏了一个月，晚上老人出门看不见路。';

  // The citizen scans the code on the station's wall.
  const citizen = await t.phone();
  await citizen.goto(`/q/${code}`);
  t.check(new URL(citizen.url()).pathname === `/q/${code}`, `the code leads to the station's page, not ${citizen.url()}`);
  await t.axe(citizen, "the station's page");
  await Promise.all([citizen.waitForNavigation(), citizen.click('.landing-go a')]);
  t.check(new URL(citizen.url()).pathname === '/submit', `the button leads to the form, not ${citizen.url()}`);
  await t.axe(citizen, 'the form');
  await citizen.fill('#f-body', text);
  await citizen.selectOption('#f-category', 'construction');
  await citizen.check('#f-consent');
  // The citizen lets the phone give its position.
  await citizen.context().grantPermissions(['geolocation']);
  await citizen.context().setGeolocation({ latitude: 28.3716, longitude: 121.3866 });
  await citizen.click('#locate-button');
  await citizen.waitForFunction(() => document.getElementById('f-latitude').value !== '');
  t.check((await citizen.textContent('#locate-status')).includes('已获取位置'), 'the page says the position is found');
  await citizen.fill('#f-name', '王阿姨');
  await citizen.fill('#f-mobile', '13812345678');
  await citizen.setInputFiles('#f-photos', photoPath);
  await citizen.setInputFiles('#f-voice', voicePath);
  await t.screenshot(citizen, 'journey-1-form');
  await Promise.all([citizen.waitForNavigation(), citizen.click('form.form button[type=submit]')]);
  const tracking = (await citizen.textContent('.tracking-code output')).trim();
  t.check(/^[A-Z0-9-]{12}$/.test(tracking), `a tracking code is shown: ${tracking}`);
  console.log(`tracking code ${tracking}`);
  await t.axe(citizen, 'the submitted page');
  await citizen.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await citizen.click('#copy-code');
  await citizen.waitForFunction(() => document.getElementById('copy-status').textContent !== '');
  const copied = await citizen.evaluate(() => navigator.clipboard.readText());
  t.check(copied === tracking, `the copy button copies the tracking code: ${copied}`);
  await t.screenshot(citizen, 'journey-2-submitted');

  // The tracking page shows the photo (its thumbnail loads) and the voice message.
  await citizen.goto(`/track/${tracking}`);
  const loaded = await citizen.$eval('.photos img', (img) => img.complete && img.naturalWidth > 0);
  t.check(loaded, 'the photo thumbnail is shown on the tracking page');
  t.check((await citizen.locator('audio').count()) === 1, 'the voice message can be played');
  await t.axe(citizen, 'the tracking page');

  // The deputy signs in, finds the case in the inbox and answers.
  const staff = await t.page();
  await staff.goto('/login');
  await staff.fill('input[name=username]', deputy);
  await staff.fill('input[name=password]', password);
  await Promise.all([staff.waitForNavigation(), staff.click('main button[type=submit]')]);
  await staff.goto('/cases');
  await Promise.all([staff.waitForNavigation(), staff.click(`a:has-text("${text.slice(0, 8)}")`)]);
  t.check((await staff.locator('.photos img').count()) === 1, 'the deputy sees the photo on the case page');
  const acknowledge = staff.locator('form[action$="/moves/acknowledge"] button');
  if ((await acknowledge.count()) > 0) {
    await Promise.all([staff.waitForNavigation(), acknowledge.click()]);
  }
  await open(staff.locator('details:has(form[action$="/moves/reply"])'));
  const reply = staff.locator('form[action$="/moves/reply"]');
  await reply.locator('textarea[name=answer]').fill('已请镇里修好路灯，请您留意。');
  await Promise.all([staff.waitForNavigation(), reply.locator('button[type=submit]').click()]);
  await t.screenshot(staff, 'journey-3-answered');

  // The citizen sees the answer and rates it.
  await citizen.goto(`/track/${tracking}`);
  t.check((await citizen.textContent('main')).includes('已请镇里修好路灯'), 'the citizen sees the answer');
  await t.axe(citizen, 'the tracking page with the answer');
  await open(citizen.locator('details:has(form[action$="/moves/citizen_rate"])'));
  const rate = citizen.locator('form[action$="/moves/citizen_rate"]');
  await rate.locator('input[value=satisfied]').check();
  await Promise.all([citizen.waitForNavigation(), rate.locator('button[type=submit]').click()]);
  t.check((await citizen.textContent('main')).includes('感谢您的评价'), 'the rating is thanked');
  await t.axe(citizen, 'the tracking page after rating');
  await t.screenshot(citizen, 'journey-4-rated');

  // Later, from the tracking form: "my cases" by mobile number and this code.
  await citizen.goto('/track');
  await t.axe(citizen, 'the tracking form');
  await Promise.all([citizen.waitForNavigation(), citizen.click('a[href="/track/mine"]')]);
  await citizen.fill('#f-mobile', '13812345678');
  await citizen.fill('#f-code', tracking);
  await Promise.all([citizen.waitForNavigation(), citizen.click('main form button[type=submit]')]);
  t.check((await citizen.textContent('.my-cases')).includes(tracking), 'my cases lists this case');
  await t.axe(citizen, 'my cases');
  t.check(citizen.jsErrors.length === 0, `no script errors: ${citizen.jsErrors.join('; ')}`);
});
