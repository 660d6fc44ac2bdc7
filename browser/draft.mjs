// The form on a weak connection: a draft survives a reload, and a form sent
// while offline waits and is sent by itself when the connection returns — also
// when its page was closed meanwhile and is opened again.
// args: [form path]
import { run } from './lib.mjs';

run(async (t) => {
  const [formPath] = t.args;
  const page = await t.phone();
  await page.goto(formPath);
  const text = '河边护栏断了一段，孩子放学经过很危险。';
  await page.fill('#f-body', text);
  await page.fill('#f-name', '李大爷');
  await page.reload();
  t.check((await page.inputValue('#f-body')) === text, 'the text survives a reload');
  t.check((await page.inputValue('#f-name')) === '李大爷', 'the name survives a reload');
  t.check((await page.textContent('#draft-status')).includes('已恢复'), 'the page says the draft is back');
  await t.axe(page, 'the form with a restored draft');

  // The signal drops; the citizen presses 提交 anyway.
  await page.selectOption('#f-category', 'transport');
  await page.check('#f-consent');
  await page.context().setOffline(true);
  await page.click('form.form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('draft-status').textContent.includes('没有网络'));
  t.check(new URL(page.url()).pathname === '/submit', 'still on the form while offline');
  await t.screenshot(page, 'draft-offline');
  await t.axe(page, 'the form waiting offline');

  // The signal returns: the form goes by itself and the tracking code appears.
  await page.context().setOffline(false);
  await page.waitForSelector('.tracking-code output');
  const code = (await page.textContent('.tracking-code output')).trim();
  t.check(/^[A-Z0-9-]{12}$/.test(code), `the tracking code is shown after the connection returns: ${code}`);
  console.log(`tracking code ${code}`);

  // A fresh form has no stale draft.
  await page.goto(formPath);
  t.check((await page.inputValue('#f-body')) === '', 'the sent draft is gone');

  // Offline again; the citizen presses 提交 and closes the page.
  const second = '村里的垃圾桶满了三天没人清运。';
  await page.fill('#f-body', second);
  await page.selectOption('#f-category', 'environment');
  await page.check('#f-consent');
  await page.context().setOffline(true);
  await page.click('form.form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('draft-status').textContent.includes('再次打开'));
  const phone = page.context();
  await page.close();
  // Back online, the form opened again on the same phone sends what was waiting, by itself.
  await phone.setOffline(false);
  const again = await phone.newPage();
  again.setDefaultTimeout(15_000);
  await again.goto(formPath);
  await again.waitForSelector('.tracking-code output');
  const reopened = (await again.textContent('.tracking-code output')).trim();
  t.check(/^[A-Z0-9-]{12}$/.test(reopened), `the waiting form is sent from the reopened page: ${reopened}`);
  console.log(`reopened tracking code ${reopened}`);
  await again.goto(formPath);
  t.check((await again.inputValue('#f-body')) === '', 'nothing waits any more');
});
