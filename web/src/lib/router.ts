import { useSyncExternalStore } from 'react';

/**
 * A minimal History API router: the app has four screens, so a routing library would be more code to learn
 * than this. The URL is the state (path + query), so every view can be shared and survives a reload.
 *
 * @example
 * const { pathname, search } = useLocation();
 * navigate('/orgs/123/audit-logs?from=2026-11-01');
 */

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const currentHref = () => window.location.pathname + window.location.search;

/** The current path and query; re-renders on every navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams; href: string } {
  const href = useSyncExternalStore(subscribe, currentHref);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.searchParams, href };
}

/** Goes to `href`; `replace` keeps the history entry (for filter tweaks that should not pile up Back steps). */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (href === currentHref()) return;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  notify();
}
