// Where a view's data comes from: the daemon's JSON API, asked again with If-None-Match so an
// unchanged resource costs a 304, or the data a report carries inline.

import { isReport } from './routes.js';

const inline = isReport ? JSON.parse(document.getElementById('ikewatch-data').textContent) : null;

let last = { url: null, etag: null, data: null };

/** {changed, data, missing}; throws when the daemon does not answer. */
export async function fetchJson(url, signal) {
  const headers = {};
  if (last.url === url && last.etag) headers['If-None-Match'] = last.etag;
  const res = await fetch(url, { headers, cache: 'no-store', signal });
  if (res.status === 304 && last.url === url) return { changed: false, data: last.data };
  if (res.status === 404) return { changed: true, data: null, missing: true };
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const data = await res.json();
  last = { url, etag: res.headers.get('ETag'), data };
  return { changed: true, data };
}

const groups = ['stuck', 'down', 'negotiating', 'established'];

function matchesText(row, q) {
  if (!q) return true;
  const needle = q.toLowerCase();
  return [row.device, row.peer, row.tunnel_group, row.ike.state, row.ike.state_ios,
    row.alert && row.alert.code].some((v) => v && v.toLowerCase().includes(needle));
}

// The report holds every row; it filters them the way /api/fleet does.
function reportFleet(params) {
  const all = inline.fleet;
  const q = params.get('q') || '';
  const device = params.get('device') || '';
  const code = params.get('code') || '';
  const hasAlert = params.get('has_alert') === '1';
  const group = params.get('group') || '';
  const limit = Math.min(Number(params.get('limit')) || 500, 1000);
  const offset = Number(params.get('offset')) || 0;
  const counts = Object.fromEntries(groups.map((g) => [g, 0]));
  const rows = [];
  for (const row of all.peers) {
    if (device && row.device !== device) continue;
    if (code && (!row.alert || row.alert.code !== code)) continue;
    if (hasAlert && !row.alert) continue;
    if (!matchesText(row, q)) continue;
    counts[row.ike.group] += 1;
    if (group && row.ike.group !== group) continue;
    rows.push(row);
  }
  return { ...all, counts, matched: rows.length, offset, limit, peers: rows.slice(offset, offset + limit) };
}

/** The data of a route in a report. */
export function reportData(route) {
  if (route.view === 'fleet') return { changed: true, data: reportFleet(route.params) };
  if (route.view === 'alerts') return { changed: true, data: inline.alerts };
  const data = inline.peers.find((p) => p.peer.device === route.device && p.peer.peer === route.peer);
  return data ? { changed: true, data } : { changed: true, data: null, missing: true };
}

export function reportInfo() {
  return inline ? inline.report : null;
}
