// The peer view: the ladder with its sentence, the diagnosis, the evidence lines (choosing one
// marks its arrow) and the timeline of state changes.

import { h, s, replace } from './dom.js';
import { duration, clock, stamp, ms, modeName } from './format.js';
import { ladderSvg, highlight, legend } from './ladder.js';
import { fleetHref, peerHref } from './routes.js';

const HOUR = 3600 * 1000;

function diagnosisPanel(d) {
  const items = d.diagnoses.map((a) => h('article', { class: ['diagnosis', `sev-${a.rule.severity}`], dataset: { code: a.diagnosis.code } },
    h('h3', {}, h('span', { class: ['code', `sev-${a.rule.severity}`] }, a.diagnosis.code), ' ', a.message),
    h('p', { class: 'cause' }, a.diagnosis.cause),
    h('ol', { class: 'checks' }, a.diagnosis.checks.map((c) => h('li', {}, c))),
    h('p', { class: 'meta' },
      `severity ${a.rule.severity} · confidence ${a.diagnosis.confidence} · rule ${a.rule.id} v${a.rule.version} · raised ${stamp(a.alert.raised_at)}`,
      a.alert.count > 1 ? ` · seen ${a.alert.count} times` : '')));
  const notes = d.device_notes.map((a) => h('article', { class: 'diagnosis note' },
    h('h3', {}, h('span', { class: 'code sev-info' }, a.diagnosis.code), ' ', a.message),
    h('ol', { class: 'checks' }, a.diagnosis.checks.map((c) => h('li', {}, c)))));
  if (!items.length && !notes.length) {
    return [h('p', { class: 'none' }, d.peer.ike.group === 'established' ? 'No active diagnosis: the tunnel is up.' : 'No active diagnosis.')];
  }
  return [...items, ...notes];
}

function evidenceList(d, svg) {
  const list = h('ol', {});
  for (const e of d.evidence) {
    const choose = () => {
      for (const li of list.querySelectorAll('li')) li.classList.toggle('chosen', li === item);
      highlight(svg, e.slot === undefined ? null : e.slot);
    };
    const item = h('li', { dataset: { slot: e.slot, step: e.step } },
      h('time', {}, clock(e.time)), ' ',
      e.step ? h('button', { type: 'button', class: 'step-tag', 'aria-label': `Show ${e.step} in the ladder`, on: { click: choose } }, e.step) : null,
      e.step ? ' ' : null,
      h('code', {}, e.text));
    if (e.step) item.addEventListener('click', choose);
    list.append(item);
  }
  if (!d.evidence.length) list.append(h('li', {}, 'No lines kept for this peer.'));
  // A scroll region: focusable, so the keyboard reaches every line.
  return h('div', { class: 'evidence', tabindex: '0', role: 'log', 'aria-label': 'Evidence lines, oldest first' }, list);
}

function timeline(d) {
  const changes = d.timeline;
  if (!changes.length) return [h('p', { class: 'none' }, 'No state change seen.')];
  const end = ms(d.now) || ms(changes[changes.length - 1].time);
  const first = ms(changes[0].time);
  const start = Math.max(end - HOUR, first - Math.max(1000, (end - first) * 0.05));
  const span = Math.max(1, end - start);
  const W = 600;
  const band = s('svg', { class: 'band', viewBox: `0 0 ${W} 24`, role: 'img', 'aria-label': `State over ${duration(end - start)} up to ${clock(d.now)}` });
  changes.forEach((c, i) => {
    const t0 = Math.max(start, ms(c.time));
    const t1 = i + 1 < changes.length ? ms(changes[i + 1].time) : end;
    if (t1 < start) return;
    const x = ((t0 - start) / span) * W;
    const w = Math.max(1, ((t1 - t0) / span) * W);
    band.append(s('rect', { class: `g-${c.group}`, x, y: 2, width: w, height: 20 },
      s('title', {}, `${c.state} (${c.group}) from ${clock(c.time)} for ${duration(t1 - ms(c.time))}`)));
  });
  const rows = changes.map((c, i) => {
    const next = i + 1 < changes.length ? ms(changes[i + 1].time) : end;
    return h('tr', {},
      h('td', {}, h('time', {}, stamp(c.time))),
      h('td', {}, h('span', { class: ['chip', `g-${c.group}`] }, c.state), c.state_ios !== c.state ? h('span', { class: 'ios' }, c.state_ios) : null),
      h('td', {}, c.status, c.phase2 !== 'none' ? `, phase 2 ${c.phase2}` : ''),
      h('td', { class: 'num' }, duration(next - ms(c.time))));
  });
  return [band, h('p', { class: 'band-axis' }, h('span', {}, clock(new Date(start).toISOString())), h('span', {}, clock(d.now))),
    h('table', { class: 'changes' }, h('thead', {}, h('tr', {}, ...['Since', 'State', 'Status', 'Lasted'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows))];
}

export function peerView(route) {
  const root = h('section', { class: 'peer-view', 'aria-labelledby': 'peer-h' });
  let svgRef = null;
  let sentenceRef = null;
  let lastData = null;

  function render(d) {
    lastData = d;
    if (!d) {
      replace(root, h('p', {}, h('a', { href: fleetHref() }, '← all peers')),
        h('h1', { id: 'peer-h' }, `${route.device} ⇄ ${route.peer}`),
        h('p', { class: 'none' }, 'This peer is not known (never seen, or expired).'));
      return;
    }
    const p = d.peer;
    const ike = p.ike;
    const { svg, text } = ladderSvg(d, 0);
    svgRef = svg;
    sentenceRef = h('p', { class: 'sentence', id: 'sentence' }, text);
    const xName = d.ladder.exchange === 'ikev2' ? 'IKEv2 exchanges' : d.ladder.exchange === 'aggressive' ? 'Aggressive mode' : 'Main mode';
    const coarse = d.ladder.detail === 'coarse'
      ? h('div', { class: 'coarse-note' },
        h('p', {}, 'Each message of the exchange is logged only at debug level (ASA 713236, IOS debug crypto isakmp). One line shows the steps:'),
        h('ul', {}, d.ladder.coarse.fix.map((f) => h('li', {}, h('code', {}, f)))))
      : null;
    replace(root,
      h('p', { class: 'back' }, h('a', { href: fleetHref() }, '← all peers')),
      h('h1', { id: 'peer-h' }, p.device, ' ⇄ ', p.peer),
      h('p', { class: 'peer-meta' },
        h('span', { class: ['chip', `g-${ike.group}`], dataset: { state: ike.state } }, ike.state), ' ',
        ike.state_ios !== ike.state ? h('span', { class: 'ios' }, ike.state_ios) : null, ' ',
        h('span', { class: 'group-name' }, ike.group),
        ike.in_state_ms !== null ? [' · in state ', h('span', { class: 'dur', dataset: { ms: ike.in_state_ms } }, duration(ike.in_state_ms))] : '',
        ` · ${modeName(ike)} · ${ike.role}`,
        p.tunnel_group ? [' · tunnel group ', h('span', { class: 'tg' }, p.tunnel_group)] : '',
        ` · ${ike.retransmits} retransmits · phase 2 ${ike.phase2}`,
        d.other_side ? [' · other side logs as ', h('a', { href: peerHref(d.other_side.device, d.other_side.peer) }, d.other_side.device)] : ''),
      h('div', { class: 'cols' },
        h('div', { class: 'col-main' },
          h('section', { class: 'ladder-box', 'aria-labelledby': 'ladder-h' },
            h('h2', { id: 'ladder-h' }, xName), svg, sentenceRef, legend(), coarse),
          h('section', { 'aria-labelledby': 'timeline-h' }, h('h2', { id: 'timeline-h' }, 'Timeline'), ...timeline(d))),
        h('div', { class: 'col-side' },
          h('section', { 'aria-labelledby': 'diag-h' }, h('h2', { id: 'diag-h' }, 'Diagnosis'), ...diagnosisPanel(d)),
          h('section', { 'aria-labelledby': 'ev-h' }, h('h2', { id: 'ev-h' }, 'Evidence'), evidenceList(d, svg)))));
  }

  // Live: the waiting time in the sentence moves on between polls.
  function tick(elapsed) {
    if (!lastData || !svgRef || !sentenceRef || !lastData.ladder.waiting || !lastData.ladder.waiting.active) return;
    const text = ladderSvg(lastData, elapsed).text;
    sentenceRef.textContent = text;
    const desc = svgRef.querySelector('desc');
    if (desc) desc.textContent = text;
  }

  return { root, render, tick };
}
