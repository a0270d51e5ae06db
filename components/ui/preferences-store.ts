// Per-user display preferences (time zone of shown times, colour theme), kept in the
// browser's localStorage under the signed-in user's email. Plain module: the root layout
// (server) builds the no-flash theme script from it, preferences.tsx (client) reads and writes.

export type TimeChoice = 'utc' | 'local';
export type ThemeChoice = 'system' | 'light' | 'dark';
export interface Preferences {
  time: TimeChoice;
  theme: ThemeChoice;
}

export const DEFAULT_PREFERENCES: Preferences = { time: 'utc', theme: 'system' };

/** localStorage key of a user's preferences (signed out: one shared key). */
export function preferencesKey(email: string | null | undefined): string {
  return email ? `eventdesk.prefs:${email}` : 'eventdesk.prefs';
}

/** Parses a stored value; anything unreadable or unknown falls back to the defaults. */
export function parsePreferences(raw: string | null | undefined): Preferences {
  if (!raw) return DEFAULT_PREFERENCES;
  try {
    const v = JSON.parse(raw) as Partial<Record<keyof Preferences, unknown>>;
    return {
      time: v.time === 'local' ? 'local' : 'utc',
      theme: v.theme === 'light' || v.theme === 'dark' ? v.theme : 'system',
    };
  } catch {
    return DEFAULT_PREFERENCES; // a hand-edited or foreign value: the defaults
  }
}

/**
 * The inline script the root layout runs before the first paint: puts `dark` on <html> when
 * the user chose dark, or chose nothing and the system prefers dark. Tiny and self-contained
 * (no imports); it carries the CSP nonce of the response.
 */
export function themeScript(email: string | null | undefined): string {
  // JSON.stringify, with < escaped: the key cannot end the script element
  const key = JSON.stringify(preferencesKey(email)).replace(/</g, '\\u003c');
  return (
    `(function(){try{var t='system';var p=JSON.parse(localStorage.getItem(${key})||'{}');` +
    `if(p&&(p.theme==='light'||p.theme==='dark'))t=p.theme;` +
    `var d=t==='dark'||(t==='system'&&window.matchMedia('(prefers-color-scheme: dark)').matches);` +
    `document.documentElement.classList.toggle('dark',d);document.documentElement.style.colorScheme=d?'dark':'light';}catch(e){}})();`
  );
}
