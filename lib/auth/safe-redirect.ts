// Where a sign-in (or any redirect that takes a target from the request) may send the browser:
// a path on the console's own origin, or '/'. Pure and without server imports, so the sign-in
// form, next-auth's redirect callback and proxy.ts all use this one decision.

/** Longer targets are not links anyone shares; they fall back to '/'. */
export const MAX_REDIRECT_LENGTH = 2048;

/**
 * A same-origin path (`/groups?x=1#y`, as the URL parser serialises it) for `value`, or '/'.
 * `value` may be a path or an absolute URL on `origin`. Refused (-> '/'): anything with control
 * characters (browsers silently drop TAB/CR/LF, so `/\t/evil.example` would become
 * `//evil.example`) or backslashes (read as '/'), protocol-relative and absolute URLs to other
 * origins, `javascript:` and other schemes, and paths that normalise to `//...`.
 */
export function safeRedirectPath(value: string | null | undefined, origin: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REDIRECT_LENGTH) return '/';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x5c /* \ */ || (c >= 0x80 && c <= 0x9f)) {
      // A space is fine inside a path (the parser encodes it) but not at either end, where URL
      // parsers strip it.
      if (c === 0x20 && i > 0 && i < value.length - 1) continue;
      return '/';
    }
  }
  let base: URL;
  let target: URL;
  try {
    base = new URL(origin);
    target = new URL(value, base);
  } catch {
    return '/';
  }
  if (base.origin === 'null' || target.origin !== base.origin) return '/';
  // Relative values must be absolute paths: 'groups' or '?x' would resolve against the origin's
  // root too, but only a path someone wrote as a path is taken.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value) && !value.startsWith('/')) return '/';
  const path = target.pathname + target.search + target.hash;
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return '/';
  return path;
}
