// Durations, times and small phrases, all on the engine clock the daemon reports.

/** `4m 12s`, `8s`, `2h 5m`, `3d 4h`; null stays empty. */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '';
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hr = Math.floor(s / 3600); s -= hr * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d > 0) return hr > 0 ? `${d}d ${hr}h` : `${d}d`;
  if (hr > 0) return m > 0 ? `${hr}h ${m}m` : `${hr}h`;
  if (m > 0) return s > 0 ? `${m}m ${s}s` : `${m}m`;
  return `${s}s`;
}

/** `17:36:05` (UTC) of an RFC 3339 time. */
export function clock(iso) {
  if (!iso) return '';
  return iso.slice(11, 19);
}

/** `2010-06-10 17:36:05 UTC`. */
export function stamp(iso) {
  if (!iso) return '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function ms(iso) {
  return iso ? Date.parse(iso) : NaN;
}

/** once, twice, 3 times. */
export function times(n) {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

export function plural(n, word, words) {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : (words || `${word}s`)}`;
}

export const roleName = { i: 'initiator', r: 'responder' };

export function modeName(ike) {
  const v = `IKEv${ike.version}`;
  if (ike.version === 2) return v;
  return ike.mode === 'unknown' ? v : `${v} ${ike.mode === 'aggressive' ? 'AM' : 'MM'}`;
}
