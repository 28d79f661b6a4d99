// The page served by the real ikewatchd, fed corpus lines over UDP: fleet rows and chips,
// filters and deep links that survive a reload, the ladder of a stuck main mode, hostile text
// shown literally, a change picked up by polling, the stale banner, axe-core.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, browser, open, until, matchesBaseline, axe } from './lib/harness.mjs';
import { devices, allRecords, PEERS, XSS_IMG, XSS_SCRIPT } from './lib/fleet_data.mjs';

let daemon;
let b;

before(async () => {
  daemon = await new Daemon('daemon').start();
  // fw-dc comes later: the live test sends it.
  await daemon.send(Object.entries(devices).filter(([k]) => k !== 'fw-dc').flatMap(([, f]) => f()));
  await daemon.waitPeers(PEERS - 1);
  b = await browser();
});

after(async () => {
  if (b) await b.close();
  if (daemon) await daemon.stop();
});

const rows = (page) => page.$$eval('tbody tr[data-peer]', (trs) => trs.map((t) => [t.dataset.peer, t.dataset.group]));
const chip = (page, g) => page.$eval(`button[data-group="${g}"]`, (el) => el.textContent);
// Durations, the engine clock and arrival-stamped lines move with the wall clock.
const moving = (page) => [page.locator('.dur'), page.locator('#clock'),
  page.locator('tr[data-peer^="172.16.200.253"] td.last'), page.locator('tr[data-peer^="asa-vpn-01"] td.last')];

test('HTTP: same page for the three views, JSON API unchanged, strict headers, 304, GET/HEAD only', async () => {
  for (const where of ['/', '/peer/fw-hq/233.22.22.233', '/ui/app.js', '/api/fleet']) {
    const res = await fetch(daemon.base + where);
    assert.equal(res.status, 200, where);
    assert.match(res.headers.get('content-security-policy'), /^default-src 'none'; script-src 'self'; style-src 'self';/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  }
  const page = await (await fetch(`${daemon.base}/`)).text();
  const asHtml = await fetch(`${daemon.base}/alerts`, { headers: { Accept: 'text/html,application/xhtml+xml' } });
  assert.equal(await asHtml.text(), page);
  assert.equal(asHtml.headers.get('vary'), 'Accept');
  assert.ok(Array.isArray(await (await fetch(`${daemon.base}/alerts`)).json()), '/alerts stays the JSON array');
  assert.ok(Array.isArray(await (await fetch(`${daemon.base}/peers`)).json()), '/peers stays the JSON array');
  const first = await fetch(`${daemon.base}/api/fleet?group=stuck`);
  const etag = first.headers.get('etag');
  assert.match(etag, /^"seq-\d+-\d+"$/);
  assert.equal((await fetch(`${daemon.base}/api/fleet?group=stuck`, { headers: { 'If-None-Match': etag } })).status, 304);
  assert.equal((await fetch(`${daemon.base}/api/fleet?group=down`, { headers: { 'If-None-Match': etag } })).status, 200);
  assert.equal((await fetch(`${daemon.base}/`, { method: 'POST' })).status, 405);
  assert.equal((await fetch(`${daemon.base}/`, { method: 'HEAD' })).status, 200);
  assert.equal((await fetch(`${daemon.base}/api/peer/fw-hq/192.0.2.1`)).status, 404);
});

test('fleet: rows stuck first, chips from the server, sources line, no console errors', async () => {
  const page = await open(b);
  await page.goto(`${daemon.base}/`);
  await until(page, (n) => document.querySelectorAll('tbody tr[data-peer]').length === n, PEERS - 1);
  const r = await rows(page);
  const groups = r.map(([, g]) => g);
  const order = ['stuck', 'down', 'negotiating', 'established'];
  assert.deepEqual(groups, [...groups].sort((a, x) => order.indexOf(a) - order.indexOf(x)));
  assert.equal(r[0][0], 'fw-hq|233.22.22.233', 'the longest stuck comes first');
  assert.equal(await chip(page, 'stuck'), '5 stuck');
  assert.equal(await chip(page, 'established'), '2 established');
  const state = await page.$eval('tr[data-peer="fw-hq|233.22.22.233"] td.state', (td) => td.textContent);
  assert.equal(state, 'MM_WAIT_MSG4MM_SA_SETUP');
  const sources = await page.textContent('.sources');
  assert.match(sources, /fw-remote/);
  assert.match(sources, /logging class vpn trap debugging/);
  assert.equal(await page.textContent('#alert-badge'), '6', 'five diagnoses and one device note');
  assert.deepEqual(page.problems, []);
  await matchesBaseline(page, 'daemon-fleet', { mask: moving(page) });
  await page.context().close();
});

test('chips filter by group, filters live in the URL and survive a reload', async () => {
  const page = await open(b);
  await page.goto(`${daemon.base}/`);
  await until(page, () => document.querySelectorAll('tbody tr[data-peer]').length > 0);
  const before = await page.evaluate(() => history.length);
  await page.click('button[data-group="established"]');
  await until(page, () => [...document.querySelectorAll('tbody tr[data-peer]')].every((t) => t.dataset.group === 'established'));
  assert.equal(new URL(page.url()).search, '?group=established');
  assert.equal(await page.getAttribute('button[data-group="established"]', 'aria-pressed'), 'true');
  await page.click('button[data-group="established"]');
  await page.fill('input[name=q]', 'psk');
  await until(page, () => document.querySelectorAll('tbody tr[data-peer]').length === 4);
  assert.equal(new URL(page.url()).search, '?q=psk');
  assert.equal(await page.evaluate(() => history.length), before, 'typing adds no history entries');
  await page.reload();
  await until(page, () => document.querySelectorAll('tbody tr[data-peer]').length === 4);
  assert.equal(await page.inputValue('input[name=q]'), 'psk');
  await page.selectOption('select[name=device]', 'fw-lab');
  await until(page, () => document.querySelectorAll('tbody tr[data-peer]').length === 2);
  assert.equal(new URL(page.url()).searchParams.get('device'), 'fw-lab');
  await page.context().close();
});

test('peer view: the ladder of a stuck main mode, deep link and reload, evidence marks its arrow', async () => {
  const page = await open(b);
  await page.goto(`${daemon.base}/`);
  await until(page, () => document.querySelector('tr[data-peer="fw-hq|233.22.22.233"] a'));
  await page.click('tr[data-peer="fw-hq|233.22.22.233"] a');
  await page.waitForURL(`${daemon.base}/peer/fw-hq/233.22.22.233`);
  await page.reload();
  await until(page, () => document.querySelector('#ladder g.step'));
  const seen = await page.$$eval('#ladder g.step', (gs) => gs.map((g) => `${g.dataset.msg}:${g.dataset.seen}`));
  assert.deepEqual(seen.slice(0, 6), ['MM1:sent', 'MM2:received', 'MM3:rejected', 'MM4:missing', 'MM5:future', 'MM6:future']);
  const current = await page.$$eval('#ladder .state-box.current.asa', (gs) => gs.map((g) => g.dataset.state));
  assert.deepEqual(current, ['MM_WAIT_MSG4']);
  assert.match(await page.textContent('#ladder text.msg >> nth=2'), /MM3 · rejected by the peer, resent ×1/);
  const sentence = await page.textContent('#sentence');
  assert.match(sentence, /^fw-hq \(initiator\) waited \d+s for MM4 from 233\.22\.22\.233 \(responder\), which never came; it resent MM3 once\. 233\.22\.22\.233 rejected MM3 from fw-hq\.$/);
  assert.equal(await page.textContent('#ladder desc'), sentence);
  assert.match(await page.textContent('.diagnosis'), /tunnel-group-or-psk-missing/);
  assert.ok((await page.$$('.diagnosis .checks li')).length >= 1);
  await page.click('.evidence li[data-step="MM3"] button >> nth=0');
  assert.equal(await page.$eval('#ladder g.step[data-msg="MM3"]', (g) => g.classList.contains('hl')), true);
  assert.equal(await page.$eval('#ladder g.step[data-msg="MM4"]', (g) => g.classList.contains('hl')), false);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an IPv6 peer has a permalink', async () => {
  const page = await open(b);
  await page.goto(`${daemon.base}/peer/asa-vpn-01/${encodeURIComponent('2001:db8::2')}`);
  await until(page, () => document.querySelector('#peer-h'));
  assert.equal(await page.textContent('#peer-h'), 'asa-vpn-01 ⇄ 2001:db8::2');
  await page.context().close();
});

test('hostile tunnel groups and evidence lines are shown literally and never run', async () => {
  const page = await open(b);
  await page.goto(`${daemon.base}/?device=fw-lab`);
  await until(page, () => document.querySelectorAll('tbody tr[data-peer]').length === 2);
  assert.equal(await page.textContent('tr[data-peer="fw-lab|198.51.100.66"] td.tg'), XSS_IMG);
  await page.goto(`${daemon.base}/peer/fw-lab/198.51.100.67`);
  await until(page, () => document.querySelector('.evidence li code'));
  const lines = await page.$$eval('.evidence li code', (cs) => cs.map((c) => c.textContent));
  assert.ok(lines.some((l) => l.includes(XSS_SCRIPT)), 'the evidence line is shown as text');
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.$$eval('img, script:not([src])', (els) => els.length), 0);
  await page.context().close();
});

test('axe-core: no serious or critical violations on the fleet, peer and alerts views', async () => {
  for (const [scheme, pages] of [['light', ['/', '/peer/fw-hq/233.22.22.233', '/alerts']], ['dark', ['/peer/fw-hq/233.22.22.233']]]) {
    for (const where of pages) {
      const page = await open(b, { scheme, bypassCSP: true });
      await page.goto(daemon.base + where);
      await until(page, () => !document.querySelector('main .loading'));
      const violations = await axe(page);
      assert.deepEqual(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `${scheme} ${where}`);
      await page.context().close();
    }
  }
});

test('polling picks up a change (304 while nothing changes), pauses while hidden, stale banner when the daemon stops', async () => {
  const page = await open(b);
  const statuses = [];
  page.on('response', (r) => { if (r.url().includes('/api/fleet')) statuses.push(r.status()); });
  await page.goto(`${daemon.base}/`);
  await until(page, (n) => document.querySelectorAll('tbody tr[data-peer]').length === n, PEERS - 1);
  await page.clock.runFor(5000);
  await until(page, (n) => n, 1);
  await page.waitForTimeout(200);
  assert.ok(statuses.includes(304), `a poll with nothing new is a 304 (${statuses})`);
  await daemon.send(devices['fw-dc']());
  await daemon.waitPeers(PEERS);
  await page.clock.runFor(5000);
  await until(page, () => document.querySelector('tr[data-peer="fw-dc|198.51.100.20"]'));
  assert.equal(await chip(page, 'established'), '3 established');
  assert.equal(await page.getAttribute('tr[data-peer="fw-dc|198.51.100.20"]', 'data-state'), 'AM_ACTIVE');
  assert.match(await page.textContent('#clock'), /^engine time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · updated 0 s ago$/);
  await daemon.stop();
  await page.clock.runFor(5000);
  await until(page, () => !document.getElementById('stale').hidden);
  assert.match(await page.textContent('#stale'), /not answering/);
  await page.context().close();
});
