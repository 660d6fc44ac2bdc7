// Recording a voice message in the browser (a fake microphone): the recorder is
// shown where MediaRecorder exists, the recording becomes the voice file, and it
// arrives with the case. args: [form path]
import { run } from './lib.mjs';

run(async (t) => {
  const [formPath] = t.args;
  const page = await t.phone();
  await page.goto(formPath);
  t.check(await page.isVisible('#record-start'), 'the recorder is offered where the browser can record');
  t.check(await page.isVisible('#f-voice'), 'the file input stays');
  await t.axe(page, 'the form with the recorder');
  await page.click('#record-start');
  await page.waitForFunction(() => document.getElementById('record-status').textContent.includes('正在录音'));
  await page.click('#record-stop');
  await page.waitForFunction(() => document.getElementById('record-status').textContent.includes('录音完成'));
  const files = await page.$eval('#f-voice', (input) => input.files.length);
  t.check(files === 1, `the recording is the voice file (${files})`);
  await page.fill('#f-body', '录了一段语音，说说菜市场的卫生问题。');
  await page.selectOption('#f-category', 'health');
  await page.check('#f-consent');
  await Promise.all([page.waitForNavigation(), page.click('form.form button[type=submit]')]);
  const shown = await page.locator('.tracking-code output').count();
  t.check(shown === 1, `the form was accepted with the recording: ${await page.textContent('main')}`);
  const tracking = (await page.textContent('.tracking-code output')).trim();
  console.log(`tracking code ${tracking}`);
  await page.goto(`/track/${tracking}`);
  t.check((await page.locator('audio').count()) === 1, 'the recording can be played on the tracking page');
});
