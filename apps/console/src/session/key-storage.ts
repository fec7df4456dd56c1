// The key lives in this tab's sessionStorage: it survives a reload, not the tab, and no other
// tab or site sees it. It is never put in a URL, where an access log would keep it.
const STORAGE_KEY = 'hookline.console.key';

export function storedKey(): string | undefined {
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

export function storeKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * A portal link (`/console#key=<key>`, what `POST /v1/tenants/:id/keys` answers as `portal_url`)
 * signs in with its key, at load or when only the fragment of an open console changes to it.
 * The fragment never reaches a server; it is taken out of the address bar and its history entry
 * at once (replaced, so Back does not show it either), and not left on screen, in a bookmark or
 * in a screenshot. The pages hear that the fragment changed, as they would of a link.
 */
export function takeKeyFromFragment(): string | undefined {
  const match = /^#key=([^&]+)/.exec(window.location.hash);
  if (!match?.[1]) return undefined;
  let key: string | undefined;
  try {
    key = decodeURIComponent(match[1]);
  } catch {
    // A mangled link (a broken percent-escape): no key, but still out of the address bar.
    key = undefined;
  }
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
  return key;
}
