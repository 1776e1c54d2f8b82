// Client-side routes. The server answers every non-API path with index.html, so these
// are real URLs: bookmarkable, and the back button works.
import { useEffect, useState } from 'react';

export type Route = { page: 'flows' } | { page: 'flow'; id: string } | { page: 'dead-letters'; flowId?: string } | { page: 'connections' } | { page: 'not-found'; path: string };

export function parseRoute(pathname: string, search = ''): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/flows') return { page: 'flows' };
  const flow = /^\/flows\/([^/]+)$/.exec(path);
  if (flow) return { page: 'flow', id: decodeURIComponent(flow[1]!) };
  if (path === '/connections') return { page: 'connections' };
  if (path === '/dead-letters') {
    const flowId = new URLSearchParams(search).get('flowId') ?? undefined;
    return flowId ? { page: 'dead-letters', flowId } : { page: 'dead-letters' };
  }
  return { page: 'not-found', path };
}

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname, location.search));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname, location.search));
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return route;
}

export function flowPath(id: string): string {
  return `/flows/${encodeURIComponent(id)}`;
}
