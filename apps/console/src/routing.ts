import { useEffect, useState } from 'preact/hooks';

/**
 * Pages are addressed by the URL fragment (`#/endpoints/ep_…?status=dead`): the producer serves
 * one page at /console and needs no fallback route, and a link to a page can be shared.
 */
export interface Route {
  /** The path segments: `['endpoints', 'ep_…']`. */
  parts: string[];
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  return {
    parts: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search),
  };
}

export function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return parseRoute(hash);
}

/** `#/a/b?x=1`, leaving out empty query values. */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const search = params.toString();
  return `#/${path}${search ? `?${search}` : ''}`;
}

export function navigate(path: string, query?: Record<string, string | undefined>): void {
  window.location.hash = href(path, query);
}

/** Changes the query of the page in place (filters), without a new history entry per keystroke. */
export function replaceQuery(route: Route, query: Record<string, string | undefined>): void {
  const url = href(route.parts.join('/'), query);
  window.history.replaceState(null, '', url);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
