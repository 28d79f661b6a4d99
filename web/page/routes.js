// The page's URLs. Served by ikewatchd every view has a path (`/`, `/peer/<device>/<peer>`,
// `/alerts`) that is its permalink; in a report written by `ikewatch replay --html` the same
// routes live in the fragment (`#/peer/…`), since the file has no server behind it.

export const isReport = document.getElementById('ikewatch-data') !== null;

const enc = encodeURIComponent;

function split(where) {
  const q = where.indexOf('?');
  return q < 0 ? [where, ''] : [where.slice(0, q), where.slice(q + 1)];
}

/** {view: 'fleet'|'peer'|'alerts'|'none', device, peer, params}. */
export function currentRoute() {
  const where = isReport ? (location.hash.slice(1) || '/') : location.pathname + location.search;
  const [path, query] = split(where);
  const params = new URLSearchParams(query);
  if (path === '/' || path === '') return { view: 'fleet', params };
  if (path === '/alerts') return { view: 'alerts', params };
  const m = /^\/peer\/([^/]+)\/([^/]+)$/.exec(path);
  if (m) {
    try {
      return { view: 'peer', device: decodeURIComponent(m[1]), peer: decodeURIComponent(m[2]), params };
    } catch {
      return { view: 'none', params };
    }
  }
  return { view: 'none', params };
}

export function peerHref(device, peer) {
  return `${isReport ? '#' : ''}/peer/${enc(device)}/${enc(peer)}`;
}

export function fleetHref(params) {
  const q = params ? params.toString() : '';
  return `${isReport ? '#' : ''}/${q ? `?${q}` : ''}`;
}

export function alertsHref() {
  return `${isReport ? '#' : ''}/alerts`;
}

/** Puts filter changes into the URL without a history entry per keystroke. */
export function replaceParams(params) {
  const url = fleetHref(params);
  if (isReport) history.replaceState(null, '', url || '#/');
  else history.replaceState(null, '', url);
}

/** The JSON resource a view polls. */
export function apiUrl(route) {
  if (route.view === 'fleet') {
    const q = route.params.toString();
    return `/api/fleet${q ? `?${q}` : ''}`;
  }
  if (route.view === 'peer') return `/api/peer/${enc(route.device)}/${enc(route.peer)}`;
  return '/api/alerts';
}
