// The message ladder as inline SVG, drawn from the steps the daemon computed: one arrow per
// message between the initiator's and the responder's lifelines, its status in words and in a
// dash pattern (never in colour alone), the waiting state beside the side that waits (ASA name)
// with the PIX/IOS name in its own column, and the sentence that says who waits for whom.

import { s, h } from './dom.js';
import { clock, duration, times, roleName } from './format.js';

const W = 760;
const X = { iosL: 8, asaL: 96, lifeI: 236, lifeR: 524, asaR: 546, iosR: 668 };
const ROW = 46;
const TOP = 64;

const seenText = {
  sent: 'sent', received: 'received', retransmitted: 'retransmitted', rejected: 'rejected',
  missing: 'missing', future: 'not yet',
};

function stepLabel(step, who) {
  let t = seenText[step.seen] || step.seen;
  if (step.seen === 'retransmitted' && step.resends) t += ` ×${step.resends}`;
  if (step.seen === 'rejected') t += step.rejected_by === 'peer' ? ' by the peer' : ` by ${who}`;
  if (step.seen !== 'retransmitted' && step.resends) t += `, resent ×${step.resends}`;
  if (step.seen === 'missing' && step.expected_since) t += ` since ${clock(step.expected_since)}`;
  if (step.inferred && step.seen !== 'missing' && step.seen !== 'future') t += ' (inferred)';
  return t;
}

function otherLabel(other, name) {
  if (!other) return '';
  return `${name} logged: ${stepLabel(other, name)}`;
}

/** The sentence under the ladder (also the SVG's accessible description). */
export function sentence(d, elapsed) {
  const L = d.ladder;
  const dev = d.peer.device;
  const peer = d.peer.peer;
  const x = L.exchange === 'ikev2' ? 'IKEv2' : `${L.exchange} mode`;
  if (L.detail === 'coarse') {
    return `Only informational-level lines arrive from ${dev}: the ${x} negotiation with ${peer} is ${L.status}, but which message it stopped at cannot be seen.`;
  }
  const rejected = L.steps.find((st) => st.seen === 'rejected');
  const rejectedPart = rejected
    ? ` ${rejected.rejected_by === 'peer' ? peer : dev} rejected ${rejected.msg}${rejected.rejected_by === 'peer' ? ` from ${dev}` : ` from ${peer}`}.`
    : '';
  const w = L.waiting;
  if (w) {
    const other = w.side === 'i' ? 'r' : 'i';
    const dur = duration(w.for_ms === null ? null : w.for_ms + elapsed);
    const us = `${dev} (${roleName[w.side]})`;
    const them = `${peer} (${roleName[other]})`;
    let t = w.active
      ? `${us} has been waiting ${dur} for ${w.for} from ${them}`
      : `${us} waited ${dur} for ${w.for} from ${them}, which never came`;
    if (!dur) t = w.active ? `${us} is waiting for ${w.for} from ${them}` : `${us} waited for ${w.for} from ${them}, which never came`;
    if (w.last_sent && w.resent > 0) t += `; it resent ${w.last_sent} ${times(w.resent)}`;
    return `${t}.${rejectedPart}`;
  }
  if (rejected) return rejectedPart.trim();
  if (L.status === 'up') {
    const qm = L.quick;
    const q = qm ? (qm.phase2 === 'up' ? ' Quick mode completed: phase 2 is up.' : ` Quick mode is ${qm.phase2}.`) : '';
    return `Phase 1 completed in ${x} (${L.steps.length} messages).${q}`;
  }
  if (L.quick) {
    const missing = L.quick.steps.find((st) => st.seen === 'missing');
    if (missing) return `Phase 1 is up; quick mode waits for ${missing.msg} since ${clock(missing.expected_since)}.`;
  }
  return `The ${x} negotiation between ${dev} and ${peer} is ${L.status}.`;
}

function sideLabel(d, side) {
  const L = d.ladder;
  const usSide = L.us || 'i';
  const mine = side === usSide;
  const name = mine ? d.peer.device : d.peer.peer;
  const role = L.us ? roleName[side] : (mine ? 'this device' : 'remote peer');
  const what = mine ? 'this device' : (d.other_side ? `logs as ${d.other_side.device}` : 'remote peer');
  return [name, `${role} · ${what}`];
}

function arrow(y, fromLeft, step, name, who, otherName) {
  const x1 = fromLeft ? X.lifeI : X.lifeR;
  const x2 = fromLeft ? X.lifeR : X.lifeI;
  const dir = fromLeft ? 1 : -1;
  const tip = step.seen === 'missing' || step.seen === 'future' ? x2 - dir * 2 : x2;
  const head = `M ${tip} ${y} l ${-dir * 10} -5 l 0 10 z`;
  const label = `${name} · ${stepLabel(step, who)}`;
  const mid = (X.lifeI + X.lifeR) / 2;
  const g = s('g', {
    class: ['step', `st-${step.seen}`, step.inferred ? 'inferred' : null],
    dataset: { msg: name, seen: step.seen, slot: step.slot },
  },
  s('title', {}, [label, step.other ? `; ${otherLabel(step.other, otherName)}` : ''].join('')),
  s('line', { class: 'arrow', x1, y1: y, x2: tip - dir * 9, y2: y }),
  s('path', { class: 'head', d: head }),
  s('text', { class: 'msg', x: mid, y: y - 8, 'text-anchor': 'middle' }, label));
  if (step.seen === 'rejected') {
    g.append(s('path', { class: 'cross', d: `M ${x2 - 6} ${y - 6} l 12 12 M ${x2 + 6} ${y - 6} l -12 12` }));
  }
  if (step.time) {
    g.append(s('text', { class: 'time', x: x1 + dir * 6, y: y + 14, 'text-anchor': fromLeft ? 'start' : 'end' }, clock(step.time)));
  }
  if (step.other) {
    g.append(s('text', { class: 'other', x: mid, y: y + 14, 'text-anchor': 'middle' }, otherLabel(step.other, otherName)));
  }
  return g;
}

function stateBox(x, y, text, current, cls) {
  const g = s('g', { class: ['state-box', cls, current ? 'current' : null], dataset: { state: text } });
  const width = cls === 'ios' ? 84 : 128;
  g.append(s('rect', { x, y: y - 11, width, height: 20, rx: 3 }));
  g.append(s('text', { x: x + 6, y: y + 3 }, text));
  return g;
}

/** The ladder section: SVG plus sentence. */
export function ladderSvg(d, elapsed) {
  const L = d.ladder;
  const usSide = L.us || 'i';
  const who = d.peer.device;
  const otherName = d.other_side ? d.other_side.device : d.peer.peer;
  const rows = [];
  for (const st of L.steps) rows.push({ step: st });
  if (L.quick) {
    rows.push({ sep: `Quick mode (phase 2)${L.quick.msgid ? `, message id ${L.quick.msgid}` : ''}` });
    for (const st of L.quick.steps) rows.push({ step: st });
  }
  const coarse = L.detail === 'coarse';
  const height = TOP + (coarse ? 2 : rows.length) * ROW + 24;
  const text = sentence(d, elapsed);
  const title = `${L.exchange === 'ikev2' ? 'IKEv2' : L.exchange === 'aggressive' ? 'Aggressive-mode' : 'Main-mode'} ladder, ${d.peer.device} and ${d.peer.peer}`;
  const svg = s('svg', {
    id: 'ladder', class: 'ladder', viewBox: `0 0 ${W} ${height}`, role: 'img',
    'aria-labelledby': 'ladder-title ladder-desc', dataset: { exchange: L.exchange, detail: L.detail },
  }, s('title', { id: 'ladder-title' }, title), s('desc', { id: 'ladder-desc' }, text));

  // Column heads and lifelines.
  const [nameI, subI] = sideLabel(d, 'i');
  const [nameR, subR] = sideLabel(d, 'r');
  svg.append(
    s('text', { class: 'col-head', x: X.iosL, y: 14 }, 'PIX/IOS'),
    s('text', { class: 'col-head', x: X.asaL, y: 14 }, 'ASA'),
    s('text', { class: 'col-head', x: X.asaR, y: 14 }, 'ASA'),
    s('text', { class: 'col-head', x: X.iosR, y: 14 }, 'PIX/IOS'),
    s('text', { class: 'side-name', x: X.lifeI, y: 30, 'text-anchor': 'middle' }, nameI),
    s('text', { class: 'side-sub', x: X.lifeI, y: 44, 'text-anchor': 'middle' }, subI),
    s('text', { class: 'side-name', x: X.lifeR, y: 30, 'text-anchor': 'middle' }, nameR),
    s('text', { class: 'side-sub', x: X.lifeR, y: 44, 'text-anchor': 'middle' }, subR),
    s('line', { class: 'lifeline', x1: X.lifeI, y1: TOP - 10, x2: X.lifeI, y2: height - 8 }),
    s('line', { class: 'lifeline', x1: X.lifeR, y1: TOP - 10, x2: X.lifeR, y2: height - 8 }));

  const ourAsa = usSide === 'i' ? X.asaL : X.asaR;
  const ourIos = usSide === 'i' ? X.iosL : X.iosR;
  const theirAsa = usSide === 'i' ? X.asaR : X.asaL;
  const theirIos = usSide === 'i' ? X.iosR : X.iosL;

  if (coarse) {
    const y = TOP + ROW / 2;
    svg.append(s('g', { class: 'coarse-bar', dataset: { seen: 'coarse' } },
      s('rect', { x: X.lifeI, y: y - 14, width: X.lifeR - X.lifeI, height: 28 }),
      s('text', { x: (X.lifeI + X.lifeR) / 2, y: y + 4, 'text-anchor': 'middle' },
        `${L.coarse.first} … ${L.coarse.last}: not logged at this level`)),
    stateBox(ourAsa, y + ROW, L.state, true, 'asa'),
    stateBox(ourIos, y + ROW, L.state_ios, true, 'ios'));
    return { svg, text };
  }

  let y = TOP + 10;
  const waitingRow = L.waiting ? L.steps.findIndex((st) => st.msg === L.waiting.for) : -1;
  rows.forEach((r, i) => {
    if (r.sep) {
      svg.append(s('text', { class: 'sep', x: (X.lifeI + X.lifeR) / 2, y: y + 4, 'text-anchor': 'middle' }, r.sep));
      y += ROW;
      return;
    }
    const st = r.step;
    svg.append(arrow(y, st.from === 'i', st, st.msg, who, otherName));
    const shownByWait = L.waiting && st.state_after && st.state_after.state === L.waiting.state;
    if (st.state_after && i !== waitingRow && !shownByWait) {
      svg.append(stateBox(ourAsa, y + 20, st.state_after.state, false, 'asa'),
        stateBox(ourIos, y + 20, st.state_after.state_ios, false, 'ios'));
    }
    if (i === waitingRow) {
      const w = L.waiting;
      const lastSentRow = waitingRow - 1;
      const y0 = TOP + 10 + lastSentRow * ROW;
      const lifeX = usSide === 'i' ? X.lifeI : X.lifeR;
      svg.append(s('rect', { class: 'wait-bar', x: lifeX - 4, y: y0, width: 8, height: y - y0 }),
        stateBox(ourAsa, y, w.state, true, 'asa'), stateBox(ourIos, y, w.state_ios, true, 'ios'));
      if (d.other_side) {
        svg.append(stateBox(theirAsa, y, d.other_side.state, true, 'asa'),
          stateBox(theirIos, y, d.other_side.state_ios, true, 'ios'));
      } else {
        svg.append(s('text', { class: 'not-logged', x: theirAsa, y: y + 4 }, 'state not logged'));
      }
    }
    y += ROW;
  });
  if (waitingRow < 0) {
    // Where each side stands now.
    svg.append(stateBox(ourAsa, y - 6, L.state, true, 'asa'), stateBox(ourIos, y - 6, L.state_ios, true, 'ios'));
    if (d.other_side) {
      svg.append(stateBox(theirAsa, y - 6, d.other_side.state, true, 'asa'),
        stateBox(theirIos, y - 6, d.other_side.state_ios, true, 'ios'));
    }
  }
  return { svg, text };
}

/** Marks the arrow of a step (an evidence line was chosen). */
export function highlight(svg, slot) {
  for (const g of svg.querySelectorAll('g.step')) {
    g.classList.toggle('hl', slot !== null && g.dataset.slot === String(slot));
  }
}

export function legend() {
  return h('ul', { class: 'legend', 'aria-label': 'Arrow patterns' },
    ...['sent', 'retransmitted', 'rejected', 'missing', 'future'].map((k) => h('li', {},
      s('svg', { viewBox: '0 0 40 10', class: ['legend-line', `st-${k}`], 'aria-hidden': 'true' },
        s('line', { class: 'arrow', x1: 0, y1: 5, x2: 40, y2: 5 })), ` ${seenText[k]}`)));
}
