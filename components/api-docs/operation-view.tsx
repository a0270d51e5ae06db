// One operation of the API: method, path, role, parameters, request body and responses.
import { Badge, type Tone } from '@/components/ui/badge';
import type { JsonSchema, Operation } from './openapi-types';
import { refName, SchemaView } from './schema-view';

const methodTone: Record<string, Tone> = { get: 'info', post: 'good', put: 'warn', patch: 'warn', delete: 'bad' };
const roleTone: Record<string, Tone> = { viewer: 'neutral', operator: 'warn', admin: 'bad' };

export const operationAnchor = (method: string, path: string) => `op-${method}-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;

/** The body schema shown in place: a $ref resolved one level, so the fields are on the operation. */
function RequestBody({ schema, schemas }: { schema: JsonSchema | undefined; schemas: Record<string, JsonSchema> }) {
  const name = schema?.$ref ? refName(schema.$ref) : null;
  return (
    <div className="space-y-1">
      {name && <SchemaView schema={schema} />}
      <SchemaView schema={name ? schemas[name] : schema} />
    </div>
  );
}

export function OperationView({ method, path, op, schemas }: { method: string; path: string; op: Operation; schemas: Record<string, JsonSchema> }) {
  const role = op['x-required-role'] ?? 'unknown';
  const body = op.requestBody?.content?.['application/json'];
  // the document's description ends with the role for other readers; the badge shows it here
  const description = op.description?.replace(/\s*Role: [^\n]*$/, '');
  const described = op.parameters?.some((p) => p.description) ?? false;
  return (
    <article
      id={operationAnchor(method, path)}
      className="space-y-3 border-b border-slate-100 py-4 last:border-0"
      data-testid="api-operation"
      aria-label={`${method.toUpperCase()} ${path}`}
    >
      <header className="flex flex-wrap items-center gap-2">
        <Badge tone={methodTone[method] ?? 'neutral'}>{method.toUpperCase()}</Badge>
        {/* the operation's heading (under its tag's h2): its parts stay items of the header's row */}
        <h3 className="contents">
          <code className="font-mono text-sm font-semibold text-slate-900">{path}</code>{' '}
          <span className="text-sm font-normal text-slate-700">{op.summary}</span>
        </h3>
        <span className="ml-auto flex items-center gap-1 text-xs text-slate-600">
          role <Badge tone={roleTone[role] ?? 'good'}>{role}</Badge>
          {op['x-role-note'] && <span>({op['x-role-note']})</span>}
        </span>
      </header>
      {description && <p className="whitespace-pre-line text-sm text-slate-600">{description}</p>}

      {op.parameters && op.parameters.length > 0 && (
        <div>
          <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Parameters</h4>
          <div className="relative overflow-x-auto">
            <table className="mt-1 w-full text-left text-sm">
              <thead className="text-xs text-slate-500">
                <tr>
                  <th className="py-1 pr-3 font-medium">name</th>
                  <th className="py-1 pr-3 font-medium">in</th>
                  <th className="py-1 pr-3 font-medium">type</th>
                  {described && <th className="py-1 font-medium">description</th>}
                </tr>
              </thead>
              <tbody>
                {op.parameters.map((p) => (
                  <tr key={`${p.in}-${p.name}`} className="border-t border-slate-100 align-top">
                    <td className="py-1 pr-3 font-mono">
                      {p.name}
                      {p.required && <span className="text-rose-700">*</span>}
                    </td>
                    <td className="py-1 pr-3 text-slate-600">{p.in}</td>
                    <td className="py-1 pr-3">
                      <SchemaView schema={p.schema} />
                    </td>
                    {described && <td className="py-1 text-slate-600">{p.description}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}

      {op.requestBody && (
        <div>
          <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">
            Request body (application/json{op.requestBody.required ? '' : ', optional'})
          </h4>
          <div className="mt-1 text-sm">
            <RequestBody schema={body?.schema} schemas={schemas} />
          </div>
        </div>
      )}

      <div>
        <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Responses</h4>
        <ul className="mt-1 space-y-1 text-sm">
          {Object.entries(op.responses ?? {}).map(([status, r]) => {
            const [contentType, media] = Object.entries(r.content ?? {})[0] ?? [];
            const isError = r['x-error-codes'] !== undefined;
            return (
              <li key={status} className="flex flex-wrap items-baseline gap-2">
                <Badge tone={status.startsWith('2') ? 'good' : status.startsWith('5') ? 'bad' : 'warn'}>{status}</Badge>
                {isError ? (
                  <span className="text-slate-700">
                    <span className="text-slate-500">error envelope</span> {r.description}
                  </span>
                ) : (
                  <span className="text-slate-700">
                    {r.description}
                    {media?.schema && (
                      <>
                        {': '}
                        <SchemaView schema={media.schema} />
                      </>
                    )}
                    {contentType && !media?.schema && <span className="text-slate-500"> ({contentType})</span>}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </article>
  );
}
