'use client';
// The signed-in user's display preferences (components/ui/preferences-store.ts): shown times in
// UTC or the browser's zone, colour theme system / light / dark. The provider applies them
// (formatTime's zone, the `dark` class on <html>) and ticks once a minute so relative times
// ("3 min ago") stay current; useTimeFormat re-renders its caller on either change.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useActor } from '@/components/auth/actor-context';
import { browserZone, formatAgo, formatTime, setDisplayZone } from './format';
import { DEFAULT_PREFERENCES, parsePreferences, preferencesKey, type Preferences, type ThemeChoice, type TimeChoice } from './preferences-store';

interface PreferencesValue {
  preferences: Preferences;
  setTime: (time: TimeChoice) => void;
  setTheme: (theme: ThemeChoice) => void;
  /** the zone times are shown in: 'UTC' or the browser's */
  zone: string;
  /** now, to the minute (relative times re-render when it moves) */
  now: number;
  /** the theme in effect: dark by choice, or by the system's preference */
  dark: boolean;
}

const PreferencesContext = createContext<PreferencesValue | null>(null);

// localStorage as an external store: the server (and hydration) see the defaults, the
// browser its stored value; a write in this tab notifies the readers.
const listeners = new Set<() => void>();
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('storage', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', listener);
  };
}
function readStored(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage disabled: the defaults
  }
}

const noSubscription = () => () => {};

function useSystemDark(): boolean {
  return useSyncExternalStore(
    (cb) => {
      const m = window.matchMedia('(prefers-color-scheme: dark)');
      m.addEventListener('change', cb);
      return () => m.removeEventListener('change', cb);
    },
    () => window.matchMedia('(prefers-color-scheme: dark)').matches,
    () => false,
  );
}

export function PreferencesProvider({ children }: { children: ReactNode }) {
  const actor = useActor();
  const key = preferencesKey(actor?.name);
  const raw = useSyncExternalStore(
    subscribe,
    () => readStored(key),
    () => null,
  );
  const preferences = useMemo(() => parsePreferences(raw), [raw]);
  const update = useCallback(
    (patch: Partial<Preferences>) => {
      try {
        window.localStorage.setItem(key, JSON.stringify({ ...parsePreferences(readStored(key)), ...patch }));
      } catch {
        // storage disabled or full: the choice lasts until the page reloads at most
      }
      listeners.forEach((l) => l());
    },
    [key],
  );
  const zone = preferences.time === 'local' ? browserZone() : 'UTC';
  // set before the children render, so every formatTime of this render uses it
  setDisplayZone(zone);

  const systemDark = useSystemDark();
  const dark = preferences.theme === 'dark' || (preferences.theme === 'system' && systemDark);
  // during hydration the stored choice is not read yet (server snapshot): leave the class the
  // root layout's script set before paint, or the page would flash the wrong theme
  const hydrated = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  useEffect(() => {
    if (!hydrated) return;
    document.documentElement.classList.toggle('dark', dark);
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  }, [dark, hydrated]);

  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), 60_000);
    return () => window.clearInterval(id);
  }, []);

  const value = useMemo<PreferencesValue>(
    () => ({ preferences, setTime: (time) => update({ time }), setTheme: (theme) => update({ theme }), zone, now, dark }),
    [preferences, update, zone, now, dark],
  );
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

const FALLBACK: PreferencesValue = { preferences: DEFAULT_PREFERENCES, setTime: () => {}, setTheme: () => {}, zone: 'UTC', now: 0, dark: false };

export function usePreferences(): PreferencesValue {
  return useContext(PreferencesContext) ?? FALLBACK;
}

/** formatTime / formatAgo bound to the user's zone and the minute clock: the caller re-renders on a switch and each minute. */
export function useTimeFormat() {
  const { zone, now } = usePreferences();
  return useMemo(
    () => ({
      zone,
      formatTime: (iso: string | null | undefined) => formatTime(iso),
      formatAgo: (iso: string | null | undefined) => formatAgo(iso, Math.max(now, Date.now())),
    }),
    // zone (read by formatTime through the module) and now are what the functions depend on
    [zone, now],
  );
}

/** A time in the user's zone with how long ago beside it ("3 min ago"), the other zone's reading as its tooltip. */
export function TimeAgo({ iso, stacked = false, className = '' }: { iso: string | null | undefined; stacked?: boolean; className?: string }) {
  const { formatTime: abs, formatAgo: ago, zone } = useTimeFormat();
  if (!iso) return <span className={className}>—</span>;
  return (
    <time dateTime={iso} className={`tabular-nums ${className}`} title={zone === 'UTC' ? iso : `${abs(iso)} (${iso})`} data-testid="time">
      <span data-testid="time-absolute">{abs(iso)}</span>
      <span className={`text-xs text-slate-500 ${stacked ? 'block' : 'ml-1.5'}`} data-testid="time-ago">
        {ago(iso)}
      </span>
    </time>
  );
}

const choice = (on: boolean) => `px-2 py-0.5 text-xs ${on ? 'bg-indigo-600 text-white' : 'text-slate-600 hover:bg-slate-100'}`;

/** Header switches: times in UTC or local, theme system / light / dark. */
export function PreferenceSwitches() {
  const { preferences, setTime, setTheme } = usePreferences();
  const zone = browserZone();
  return (
    <div className="flex items-center gap-2" data-testid="preference-switches">
      <div role="group" aria-label="Times shown in" className="flex overflow-hidden rounded border border-slate-300">
        {(['utc', 'local'] as const).map((t) => (
          <button
            key={t}
            type="button"
            aria-pressed={preferences.time === t}
            title={t === 'utc' ? 'Show times in UTC' : `Show times in your zone (${zone})`}
            className={choice(preferences.time === t)}
            onClick={() => setTime(t)}
            data-testid={`time-${t}`}
          >
            {t === 'utc' ? 'UTC' : 'Local'}
          </button>
        ))}
      </div>
      <div role="group" aria-label="Theme" className="flex overflow-hidden rounded border border-slate-300">
        {(['system', 'light', 'dark'] as const).map((t) => (
          <button
            key={t}
            type="button"
            aria-pressed={preferences.theme === t}
            title={t === 'system' ? 'Follow the system theme' : `Always ${t}`}
            className={choice(preferences.theme === t)}
            onClick={() => setTheme(t)}
            data-testid={`theme-${t}`}
          >
            {t === 'system' ? 'Auto' : t === 'light' ? 'Light' : 'Dark'}
          </button>
        ))}
      </div>
    </div>
  );
}
