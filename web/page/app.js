// The page's entry: picks the view from the URL, loads its data, polls it every few seconds
// (a 304 when nothing changed), pauses while the tab is hidden, and shows the engine time, how
// long ago the data was confirmed and a banner when the daemon stops answering.

import { replace, h } from './dom.js';
import { duration, stamp, ms } from './format.js';
import { currentRoute, apiUrl, isReport, fleetHref, alertsHref } from './routes.js';
import { fetchJson, reportData, reportInfo } from './data.js';
import { fleetView } from './fleet.js';
import { peerView } from './peer.js';
import { alertsView } from './alerts.js';

const POLL_MS = 5000;
const main = document.getElementById('main');
const clockEl = document.getElementById('clock');
const staleEl = document.getElementById('stale');
const badge = document.getElementById('alert-badge');

let route = null;
let view = null;
let data = null;
let fetchedAt = 0;   // Date.now() when `data` arrived
let confirmedAt = 0; // Date.now() of the last answer (200 or 304)
let failingSince = 0;
let timer = null;
let inflight = null;

function elapsed() {
  return data && data.live ? Date.now() - fetchedAt : 0;
}

function tick() {
  if (!data) return;
  const now = ms(data.now);
  const engine = Number.isNaN(now) ? '' : stamp(new Date(now + elapsed()).toISOString());
  if (isReport) {
    const info = reportInfo();
    replace(clockEl, `Report · log time ${engine}`, info && info.inputs ? ` · ${info.inputs}` : '');
  } else {
    replace(clockEl, h('span', { class: 'engine' }, `engine time ${engine}`), ' · ',
      h('span', { class: 'ago' }, `updated ${Math.max(0, Math.round((Date.now() - confirmedAt) / 1000))} s ago`));
  }
  const e = elapsed();
  if (e > 0) {
    for (const el of main.querySelectorAll('[data-ms]')) {
      el.textContent = duration(Number(el.dataset.ms) + e);
    }
    if (view && view.tick) view.tick(e);
  }
}

function showStale() {
  if (!failingSince) failingSince = Date.now();
  staleEl.hidden = false;
  replace(staleEl, 'ikewatchd is not answering: the data below is from ',
    duration(Date.now() - confirmedAt), ' ago and no longer moves on.');
}

async function refresh() {
  if (isReport) {
    const r = reportData(route);
    data = r.data ? r.data : { now: reportInfo() && reportInfo().now, live: false };
    fetchedAt = confirmedAt = Date.now();
    view.render(r.missing ? null : r.data);
    header();
    tick();
    return;
  }
  if (inflight) inflight.abort();
  const controller = new AbortController();
  inflight = controller;
  try {
    const r = await fetchJson(apiUrl(route), controller.signal);
    confirmedAt = Date.now();
    failingSince = 0;
    staleEl.hidden = true;
    if (r.changed) {
      data = r.data || { now: data && data.now, live: true, alerts_active: data && data.alerts_active };
      fetchedAt = Date.now();
      view.render(r.missing ? null : r.data);
      header();
    }
    tick();
  } catch (err) {
    if (err.name === 'AbortError') return;
    showStale();
  } finally {
    if (inflight === controller) inflight = null;
  }
}

function header() {
  const n = data && typeof data.alerts_active === 'number' ? data.alerts_active : null;
  badge.textContent = n === null ? '' : String(n);
  badge.dataset.count = n === null ? '' : String(n);
  for (const [id, on] of [['nav-peers', route.view === 'fleet'], ['nav-alerts', route.view === 'alerts']]) {
    if (on) document.getElementById(id).setAttribute('aria-current', 'page');
    else document.getElementById(id).removeAttribute('aria-current');
  }
}

function schedule() {
  clearTimeout(timer);
  timer = null;
  if (isReport || document.hidden) return;
  timer = setTimeout(async () => {
    await refresh();
    schedule();
  }, POLL_MS);
}

function show() {
  route = currentRoute();
  data = null;
  if (route.view === 'fleet') view = fleetView(route, refresh);
  else if (route.view === 'peer') view = peerView(route);
  else if (route.view === 'alerts') view = alertsView();
  else {
    view = { root: h('p', {}, 'No such page. ', h('a', { href: fleetHref() }, 'All peers')), render() {} };
  }
  replace(main, view.root);
  const title = route.view === 'peer' ? `${route.device} ⇄ ${route.peer}` : route.view === 'alerts' ? 'Alerts' : 'Peers';
  document.title = `${title} · ikewatch`;
  refresh();
}

if (isReport) {
  document.getElementById('brand').setAttribute('href', fleetHref());
  document.getElementById('nav-peers').setAttribute('href', fleetHref());
  document.getElementById('nav-alerts').setAttribute('href', alertsHref());
  window.addEventListener('hashchange', show);
}
document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    clearTimeout(timer);
    timer = null;
  } else {
    refresh();
    schedule();
  }
});
setInterval(() => { if (!document.hidden) tick(); if (failingSince) showStale(); }, 1000);
show();
schedule();
