// The fleet view: count chips, filter bar, sources line and the peer table (server-side
// filtering and paging: the daemon sends at most one page of rows).

import { h, replace } from './dom.js';
import { duration, clock, plural, modeName } from './format.js';
import { peerHref, replaceParams, fleetHref } from './routes.js';

const GROUPS = ['stuck', 'down', 'negotiating', 'established'];

function stateCell(ike) {
  return h('td', { class: 'state' },
    h('span', { class: ['chip', `g-${ike.group}`], title: `${ike.group}` }, ike.state),
    ike.state_ios && ike.state_ios !== ike.state ? h('span', { class: 'ios' }, ike.state_ios) : null);
}

function diagnosisCell(alert) {
  if (!alert) return h('td', { class: 'diag' });
  return h('td', { class: 'diag' },
    h('span', { class: ['code', `sev-${alert.severity}`], title: alert.title }, alert.code));
}

function row(p) {
  const ike = p.ike;
  return h('tr', { dataset: { peer: `${p.device}|${p.peer}`, group: ike.group, state: ike.state } },
    h('td', {}, p.device),
    h('th', { scope: 'row' }, h('a', { href: peerHref(p.device, p.peer) }, p.peer)),
    h('td', { class: 'tg' }, p.tunnel_group || ''),
    h('td', {}, modeName(ike)),
    h('td', {}, ike.role === 'unknown' ? '' : ike.role),
    stateCell(ike),
    h('td', { class: 'num dur', dataset: { ms: ike.in_state_ms } }, duration(ike.in_state_ms)),
    h('td', { class: 'num' }, String(ike.retransmits)),
    h('td', {}, ike.phase2 === 'none' ? '' : ike.phase2),
    diagnosisCell(p.alert),
    h('td', { class: 'last' }, p.last_line
      ? [h('time', {}, clock(p.last_line.time)), ' ', h('span', { class: 'line', title: p.last_line.text }, p.last_line.text.replace(/^<\d{1,3}>/, ''))]
      : ''));
}

export function fleetView(route, refresh) {
  const params = route.params;
  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Show one group' });
  const q = h('input', { type: 'search', name: 'q', value: params.get('q') || '', placeholder: 'device, peer, tunnel group, state, code', 'aria-label': 'Search' });
  const device = h('select', { name: 'device', 'aria-label': 'Device' });
  const code = h('select', { name: 'code', 'aria-label': 'Diagnosis' });
  const hasAlert = h('input', { type: 'checkbox', name: 'has_alert', checked: params.get('has_alert') === '1' });
  const count = h('p', { class: 'count', 'aria-live': 'polite' });
  const sources = h('p', { class: 'sources' });
  const tbody = h('tbody', {});
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });

  function changed() {
    const next = new URLSearchParams();
    for (const [k, v] of [['q', q.value], ['group', params.get('group') || ''],
      ['device', device.value], ['code', code.value], ['has_alert', hasAlert.checked ? '1' : '']]) {
      if (v) next.set(k, v);
    }
    for (const k of [...params.keys()]) params.delete(k);
    for (const [k, v] of next) params.set(k, v);
    replaceParams(params);
    refresh();
  }
  q.addEventListener('input', changed);
  device.addEventListener('change', changed);
  code.addEventListener('change', changed);
  hasAlert.addEventListener('change', changed);

  const form = h('form', { class: 'filters', role: 'search', on: { submit: (e) => e.preventDefault() } },
    h('label', {}, 'Search ', q),
    h('label', {}, 'Device ', device),
    h('label', {}, 'Diagnosis ', code),
    h('label', { class: 'check' }, hasAlert, ' has alert'));

  const table = h('table', { class: 'fleet' },
    h('caption', { class: 'vh' }, 'IKE peers, stuck first'),
    h('thead', {}, h('tr', {},
      ...['Device', 'Peer', 'Tunnel group', 'IKE', 'Role', 'State (ASA · PIX/IOS)', 'In state',
        'Retx', 'Phase 2', 'Diagnosis', 'Last line'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);

  const root = h('section', { class: 'fleet-view', 'aria-labelledby': 'fleet-h' },
    h('h1', { id: 'fleet-h', class: 'vh' }, 'Peers'), chips, form, count, sources, table, pager);

  function options(select, values, current, all) {
    const opts = [h('option', { value: '' }, all)];
    for (const v of values) opts.push(h('option', { value: v, selected: v === current }, v));
    if (current && !values.includes(current)) opts.push(h('option', { value: current, selected: true }, current));
    replace(select, opts);
  }

  function render(data) {
    const group = params.get('group') || '';
    replace(chips, GROUPS.map((g) => h('button', {
      type: 'button', class: ['chip', 'count-chip', `g-${g}`], 'aria-pressed': String(group === g),
      dataset: { group: g },
      on: { click: () => { if (group === g) params.delete('group'); else params.set('group', g); changed(); } },
    }, h('span', { class: 'n' }, String(data.counts[g])), ` ${g}`)));
    if (document.activeElement !== device) options(device, data.devices, params.get('device') || '', 'all devices');
    if (document.activeElement !== code) options(code, data.codes, params.get('code') || '', 'any diagnosis');
    replace(count, `${plural(data.matched, 'peer')} of ${data.total.toLocaleString('en-US')}`,
      data.matched > data.peers.length ? ` — showing ${data.offset + 1}–${data.offset + data.peers.length}; narrow the filter to see fewer` : '');
    const src = data.sources;
    const srcParts = [`Sources: ${plural(src.devices, 'device')} with IKE peers`];
    if (src.without_debug_count > 0) {
      srcParts.push(`; ${plural(src.without_debug_count, 'device')} log IKE only below debug level (`,
        h('span', { class: 'names' }, src.without_debug.join(', ')),
        src.without_debug_count > src.without_debug.length ? ', …' : '',
        '), so their stuck step cannot be seen. One line of configuration fixes it: ',
        ...src.fix.flatMap((f, i) => [i ? ' — ' : '', h('code', {}, f)]));
    } else if (src.devices > 0) {
      srcParts.push('; all log IKE at debug level.');
    }
    replace(sources, srcParts);
    replace(tbody, data.peers.length ? data.peers.map(row)
      : h('tr', {}, h('td', { colspan: '11', class: 'empty' }, data.total ? 'No peer matches the filter.' : 'No IKE peer seen yet.')));
    const pages = [];
    if (data.offset > 0) {
      const prev = new URLSearchParams(params); prev.set('offset', String(Math.max(0, data.offset - data.limit)));
      pages.push(h('a', { href: fleetHref(prev) }, '← previous'));
    }
    if (data.offset + data.peers.length < data.matched) {
      const next = new URLSearchParams(params); next.set('offset', String(data.offset + data.limit));
      pages.push(h('a', { href: fleetHref(next) }, 'next →'));
    }
    replace(pager, pages);
  }

  return { root, render };
}
