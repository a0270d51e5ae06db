// The OpenAPI document (GET /api/openapi.json) for people: operations grouped by tag, then the
// named schemas they refer to. Plain React over the JSON: no swagger-ui, nothing from a CDN.
import { Section } from '@/components/ui/section';
import { HTTP_METHODS, type OpenApiDocument, type Operation } from './openapi-types';
import { OperationView, operationAnchor } from './operation-view';
import { SchemaView, schemaAnchor } from './schema-view';

interface Entry {
  method: string;
  path: string;
  op: Operation;
}

function byTag(doc: OpenApiDocument): [string, string | undefined, Entry[]][] {
  const groups = new Map<string, Entry[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'Other';
      groups.set(tag, [...(groups.get(tag) ?? []), { method, path, op }]);
    }
  }
  const order = (doc.tags ?? []).map((t) => t.name);
  const rank = (tag: string) => (order.includes(tag) ? order.indexOf(tag) : order.length);
  return [...groups]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([tag, entries]) => [tag, doc.tags?.find((t) => t.name === tag)?.description, entries]);
}

export function ApiDocsView({ doc }: { doc: OpenApiDocument }) {
  const groups = byTag(doc);
  const schemas = Object.entries(doc.components?.schemas ?? {});
  return (
    <div className="space-y-4">
      <div className="space-y-1">
        <h1 className="text-lg font-semibold">
          {doc.info.title} <span className="text-sm font-normal text-slate-500">OpenAPI {doc.openapi}</span>
        </h1>
        {doc.info.description && <p className="max-w-4xl text-sm text-slate-600">{doc.info.description}</p>}
        <p className="text-sm text-slate-600">
          Machine-readable:{' '}
          <a href="/api/openapi.json" className="font-mono text-indigo-700 hover:underline">
            /api/openapi.json
          </a>{' '}
          (no sign-in needed).
        </p>
        <nav aria-label="Operations" className="flex flex-wrap gap-x-4 gap-y-1 pt-1 text-sm">
          {groups.map(([tag, , entries]) => (
            <a key={tag} href={`#${operationAnchor(entries[0].method, entries[0].path)}`} className="text-indigo-700 hover:underline">
              {tag} ({entries.length})
            </a>
          ))}
          <a href="#schemas" className="text-indigo-700 hover:underline">
            Schemas ({schemas.length})
          </a>
        </nav>
      </div>
      {groups.map(([tag, description, entries]) => (
        <Section key={tag} title={tag} testId={`api-tag-${tag}`} aside={description && <span className="text-xs text-slate-500">{description}</span>}>
          {entries.map((e) => (
            <OperationView key={`${e.method} ${e.path}`} {...e} schemas={doc.components?.schemas ?? {}} />
          ))}
        </Section>
      ))}
      <div id="schemas">
        <Section title="Schemas">
          <dl className="space-y-4 text-sm">
            {schemas.map(([name, schema]) => (
              <div key={name} id={schemaAnchor(name)}>
                <dt className="font-mono font-semibold text-slate-900">{name}</dt>
                <dd className="mt-1">
                  <SchemaView schema={schema} />
                </dd>
              </div>
            ))}
          </dl>
        </Section>
      </div>
    </div>
  );
}
