// The alerts view: active alerts, worst first, then those resolved in the last 24 hours; the
// objects are the alert log's.

import { h } from './dom.js';
import { duration, stamp, ms } from './format.js';
import { peerHref } from './routes.js';

function peerLink(a) {
  const device = a.observer.hostname;
  return a.ike.peer ? h('a', { href: peerHref(device, a.ike.peer) }, a.ike.peer) : (a.source ? a.source.address : '');
}

function table(caption, alerts, resolved, clocks, now) {
  const head = resolved
    ? ['Resolved', 'Severity', 'Device', 'Peer', 'Diagnosis', 'Lasted']
    : ['Raised', 'Severity', 'Device', 'Peer', 'Diagnosis', 'State', 'For'];
  const rows = alerts.map((a) => h('tr', { dataset: { alert: a.alert.id, code: a.diagnosis.code } },
    h('td', {}, h('time', {}, stamp(resolved ? a['@timestamp'] : a.alert.raised_at))),
    h('td', {}, h('span', { class: ['sev', `sev-${a.rule.severity}`] }, a.rule.severity)),
    h('td', {}, a.observer.hostname),
    h('th', { scope: 'row' }, peerLink(a)),
    h('td', {}, h('span', { class: ['code', `sev-${a.rule.severity}`] }, a.diagnosis.code), ' ', a.message),
    resolved ? null : h('td', {}, a.ike.state || ''),
    h('td', { class: 'num' }, resolved
      ? duration(ms(a['@timestamp']) - ms(a.alert.raised_at))
      : duration((ms(clocks[a.observer.hostname]) || now) - ms(a.alert.raised_at)))));
  return h('table', { class: 'alerts' }, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: String(head.length), class: 'empty' }, 'None.'))));
}

export function alertsView() {
  const root = h('section', { class: 'alerts-view', 'aria-labelledby': 'alerts-h' });
  function render(d) {
    const now = ms(d.now);
    root.replaceChildren(
      h('h1', { id: 'alerts-h' }, 'Alerts'),
      table(`Active (${d.active.length})`, d.active, false, d.device_now || {}, now),
      table(`Resolved in the last 24 hours (${d.resolved.length})`, d.resolved, true, {}, now));
  }
  return { root, render };
}
