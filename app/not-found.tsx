// Any address no page serves (a mistyped or outdated link): says so and leads back to the
// console, instead of Next's bare 404 page. API paths answer JSON instead (app/api/[...path]).
import Link from 'next/link';

export const metadata = { title: 'Page not found · EventDesk' };

const PAGES = [
  ['/', 'Dead letters'],
  ['/groups', 'Failure groups'],
  ['/throughput', 'Throughput'],
  ['/queues', 'Queues'],
] as const;

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl px-4 py-16">
      <div role="status" className="rounded-md border border-slate-200 bg-white px-6 py-8 text-center text-slate-700">
        <h1 className="text-lg font-semibold">Page not found</h1>
        <p className="mt-2 text-sm">
          No page of EventDesk is at this address. Dead letters are listed at <code>/</code>, one dead letter at <code>/dead-letters/&lt;id&gt;</code>.
        </p>
        <nav aria-label="Console pages" className="mt-4 flex flex-wrap justify-center gap-3 text-sm">
          {PAGES.map(([href, label]) => (
            <Link key={href} className="text-indigo-700 underline" href={href}>
              {label}
            </Link>
          ))}
        </nav>
      </div>
    </main>
  );
}
