// Page load and filter re-render times of the web page at a given fleet size: a real ikewatchd
// (release build by default) is fed N peers over TCP in the shapes of the corpus (713041 and
// 713236 lines; a third of the negotiations stop at MM_WAIT_MSG4, the rest complete), then
// Debian's chromium loads `/` and types a filter. Needs the browser tests' npm packages
// (tests/web). Usage: node bench/web_page.mjs N [RUNS]

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Daemon, browser } from '../tests/web/lib/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
process.env.IKEWATCHD ||= path.join(here, '..', 'build/release/daemon/ikewatchd');
const n = Number(process.argv[2] || 1000);
const runs = Number(process.argv[3] || 5);

function lines(i) {
  const dev = `fw${String(i % 50).padStart(2, '0')}`;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const t = `Jun 10 2010 17:${String(10 + (i % 40)).padStart(2, '0')}:05`;
  const h = `<166>${t} ${dev} : `;
  const out = [
    `${h}%ASA-5-713041: IP = ${ip}, IKE Initiator: New Phase 1, Intf outside, IKE Peer ${ip}  local Proxy Address 10.1.0.0, remote Proxy Address 10.2.0.0,  Crypto map (VPN)`,
    `${h}%ASA-7-713236: IP = ${ip}, IKE_DECODE SENDING Message (msgid=0) with payloads : HDR + SA (1) + VENDOR (13) + NONE (0) total length : 148`,
    `${h}%ASA-7-713236: IP = ${ip}, IKE_DECODE RECEIVED Message (msgid=0) with payloads : HDR + SA (1) + VENDOR (13) + NONE (0) total length : 108`,
    `${h}%ASA-7-713236: IP = ${ip}, IKE_DECODE SENDING Message (msgid=0) with payloads : HDR + KE (4) + NONCE (10) + NONE (0) total length : 256`,
  ];
  if (i % 3 !== 0) {
    out.push(`${h}%ASA-7-713236: IP = ${ip}, IKE_DECODE RECEIVED Message (msgid=0) with payloads : HDR + KE (4) + NONCE (10) + NONE (0) total length : 256`,
      `${h}%ASA-5-713119: Group = ${ip}, IP = ${ip}, PHASE 1 COMPLETED`);
  }
  return out;
}

const daemon = await new Daemon('bench').start();
// Over TCP: a UDP flood this size would lose lines, and a lost line a peer.
const all = [];
for (let j = 0; j < n; j++) all.push(...lines(j));
await daemon.sendTcp(all);
const fleet = await daemon.waitPeers(n, 120000);
const b = await browser();
const load = [];
const filter = [];
let bytes = 0;
for (let r = 0; r < runs; r++) {
  const ctx = await b.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  page.on('response', async (res) => { if (res.url().endsWith('/api/fleet')) bytes = (await res.body()).length; });
  const t0 = Date.now();
  await page.goto(`${daemon.base}/`);
  await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-peer]').length > 0, null, { polling: 'raf' });
  load.push(Date.now() - t0);
  // One keystroke: the server filters, the page redraws the table.
  const t1 = await page.evaluate(() => performance.now());
  await page.fill('input[name=q]', 'fw07');
  await page.waitForFunction(() => [...document.querySelectorAll('tbody tr[data-peer]')].every((t) => t.dataset.peer.startsWith('fw07')), null, { polling: 'raf' });
  filter.push(Math.round((await page.evaluate(() => performance.now())) - t1));
  await ctx.close();
}
await b.close();
await daemon.stop();
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(JSON.stringify({ peers: fleet.total, counts: fleet.counts, first_page_json_bytes: bytes,
  load_ms: load, load_median_ms: median(load), filter_ms: filter, filter_median_ms: median(filter) }));
