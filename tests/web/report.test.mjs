// The page as `ikewatch replay --html` writes it: corpus logs replayed with the clock of the
// logs, so every duration and every pixel is fixed. The ladder of a stuck main mode, an
// aggressive mode that got no answer, a completed tunnel, both ends of one tunnel, a device
// that logs below debug level; screenshots of each view against reviewed baselines.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { browser, open, until, matchesBaseline, tmpdir, root, ikewatch, axe } from './lib/harness.mjs';

let b;
let file;

// A console prompt line (`SITE-A#show ...`) names the device after its host.
const withoutPrompts = (text) => text.split('\n').filter((l) => !/^[A-Za-z][\w.-]*(\([\w-]+\))?#/.test(l)).join('\n');

// Each log is written under the device's name: in a replay the file names the device.
function logs(dir) {
  const read = (f) => fs.readFileSync(path.join(root, 'tests', f), 'utf8');
  const stuck = read('cases/asa-mm-wait-msg4-wrong-peer-ip-tunnelsup.log').split('\n');
  const upTo = stuck.findIndex((l) => l.includes('RESENDING'));
  const files = {
    // The MM_WAIT_MSG4 story up to the resend of MM3: still waiting when the log ends.
    'fw-hq': stuck.slice(0, upTo + 1).join('\n'),
    'fw-branch': read('scenarios/S00-asa-initiator-healthy.log'),
    relay: read('scenarios/S12-pix-aggressive-no-answer.log'),
    'fw-remote': read('scenarios/S00c-asa-responder-syslog.log'),
    // Both ends of one tunnel, each device named by its address (as syslog without host names
    // is); the console prompts, which would name them by host name, are left out.
    '103.1.1.1': withoutPrompts(read('cases/iosxe-healthy-natt-initiator-site-a-console-capture.log')),
    '61.128.1.1': withoutPrompts(read('cases/iosxe-healthy-natt-responder-hq-console-capture.log')),
  };
  return Object.entries(files).map(([name, text]) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  });
}

before(async () => {
  const dir = tmpdir('report');
  file = path.join(dir, 'report.html');
  execFileSync(ikewatch, ['replay', '--year', '2026', '--reference-time', '2026-10-24T04:40:00Z', '--html', file, ...logs(dir)],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  b = await browser();
});

after(async () => { if (b) await b.close(); });

async function view(route, options) {
  const page = await open(b, options);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  page.requests = requests;
  await page.goto(`file://${file}#${route}`);
  await until(page, () => !document.querySelector('main .loading'));
  return page;
}

const steps = (page) => page.$$eval('#ladder g.step', (gs) => gs.map((g) => `${g.dataset.msg}:${g.dataset.seen}${g.classList.contains('inferred') ? '?' : ''}`));

test('stuck main mode: who waits for whom, in one sentence; screenshots light and dark', async () => {
  const page = await view('/peer/fw-hq/233.22.22.233');
  assert.deepEqual(await steps(page), ['MM1:sent', 'MM2:received', 'MM3:retransmitted', 'MM4:missing', 'MM5:future', 'MM6:future']);
  const expected = 'fw-hq (initiator) has been waiting 8s for MM4 from 233.22.22.233 (responder); it resent MM3 once.';
  assert.equal(await page.textContent('#sentence'), expected);
  assert.equal(await page.textContent('#ladder desc'), expected);
  assert.deepEqual(await page.$$eval('#ladder .state-box.current', (gs) => gs.map((g) => g.dataset.state)), ['MM_WAIT_MSG4', 'MM_SA_SETUP']);
  assert.match(await page.textContent('#ladder g.step[data-msg="MM4"] text.msg'), /^MM4 · missing since 17:36:05$/);
  assert.match(await page.textContent('#ladder g.step[data-msg="MM3"] text.msg'), /^MM3 · retransmitted ×1$/);
  assert.deepEqual(page.problems, []);
  assert.ok(page.requests.every((u) => u.startsWith('file:') || u.startsWith('data:')), 'a report fetches nothing');
  await matchesBaseline(page, 'report-peer-stuck');
  await page.context().close();
  const dark = await view('/peer/fw-hq/233.22.22.233', { scheme: 'dark' });
  assert.equal(await dark.$eval('body', (el) => getComputedStyle(el).backgroundColor), 'rgb(13, 17, 23)');
  await matchesBaseline(dark, 'report-peer-stuck-dark');
  await dark.context().close();
});

test('aggressive mode with no answer: AM1 resent (from the error history), AM2 missing', async () => {
  const page = await view('/peer/172.16.200.253/78.187.139.180');
  assert.equal(await page.getAttribute('#ladder', 'data-exchange'), 'aggressive');
  assert.deepEqual(await steps(page), ['AM1:retransmitted?', 'AM2:missing', 'AM3:future']);
  assert.equal(await page.textContent('#sentence'), '172.16.200.253 (initiator) waited for AM2 from 78.187.139.180 (responder), which never came; it resent AM1 once.', 'the relay lines carry no time: no duration');
  assert.match(await page.textContent('.diagnosis'), /peer-unreachable/);
  await page.context().close();
});

test('a completed tunnel: six main-mode messages and quick mode; screenshot', async () => {
  const page = await view('/peer/fw-branch/22.22.22.22');
  assert.deepEqual(await steps(page), ['MM1:sent', 'MM2:received', 'MM3:sent', 'MM4:received', 'MM5:sent', 'MM6:received',
    'QM1:sent', 'QM2:received', 'QM3:sent']);
  assert.equal(await page.textContent('#sentence'), 'Phase 1 completed in main mode (6 messages). Quick mode completed: phase 2 is up.');
  assert.equal(await page.textContent('.diagnosis, .none'), 'No active diagnosis: the tunnel is up.');
  await matchesBaseline(page, 'report-peer-complete');
  await page.context().close();
});

test('both ends log: each step shows what the other side logged, and its real state', async () => {
  const page = await view('/peer/103.1.1.1/61.128.1.1');
  assert.match(await page.textContent('.peer-meta'), /other side logs as 61\.128\.1\.1/);
  const titles = await page.$$eval('#ladder g.step title', (ts) => ts.map((t) => t.textContent));
  assert.equal(titles[2], 'MM3 · sent; 61.128.1.1 logged: received');
  assert.match(await page.textContent('#ladder .side-sub >> nth=1'), /logs as 61\.128\.1\.1/);
  await page.context().close();
});

test('a device that logs below debug level: a coarse bar and the line that shows the steps', async () => {
  const page = await view('/peer/fw-remote/46.37.188.24');
  assert.equal(await page.getAttribute('#ladder', 'data-detail'), 'coarse');
  assert.match(await page.textContent('.coarse-note'), /logging class vpn trap debugging/);
  assert.match(await page.textContent('#sentence'), /^Only informational-level lines arrive from fw-remote/);
  await page.context().close();
});

test('fleet and alerts views of the report; filters work without a server; screenshots', async () => {
  const page = await view('/');
  assert.equal(await page.textContent('button[data-group="stuck"]'), '2 stuck');
  await matchesBaseline(page, 'report-fleet');
  await page.fill('input[name=q]', 'MM_WAIT');
  await until(page, () => document.querySelectorAll('tbody tr[data-peer]').length === 1);
  assert.equal(await page.evaluate(() => location.hash), '#/?q=MM_WAIT');
  await page.click('#nav-alerts');
  await until(page, () => document.querySelector('.alerts-view'));
  assert.match(await page.textContent('.alerts caption'), /^Active \(\d+\)$/);
  await matchesBaseline(page, 'report-alerts');
  assert.deepEqual(page.problems, []);
  await page.context().close();
  const a11y = await view('/peer/fw-hq/233.22.22.233', { bypassCSP: true });
  assert.deepEqual((await axe(a11y)).map((v) => v.id), []);
  await a11y.context().close();
});
