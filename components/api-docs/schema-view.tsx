// A JSON Schema (from the OpenAPI document) as nested lists: types, required fields, enums,
// limits; a $ref is a link to the schema's own entry on the page.
import type { JsonSchema } from './openapi-types';

export const schemaAnchor = (name: string) => `schema-${name}`;
export const refName = (ref: string) => ref.replace(/^#\/components\/schemas\//, '');

function constraints(s: JsonSchema): string[] {
  const out: string[] = [];
  if (s.format) out.push(s.format);
  if (s.minLength !== undefined) out.push(`min length ${s.minLength}`);
  if (s.maxLength !== undefined) out.push(`max length ${s.maxLength}`);
  if (s.minimum !== undefined) out.push(`>= ${s.minimum}`);
  if (s.maximum !== undefined) out.push(`<= ${s.maximum}`);
  if (s.minItems !== undefined) out.push(`min ${s.minItems} items`);
  if (s.maxItems !== undefined) out.push(`max ${s.maxItems} items`);
  if (s.pattern && s.pattern.length <= 80) out.push(`pattern ${s.pattern}`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out;
}

/** One line: the type in words (object, string, array of string, "a" | "b", ref name ...). */
export function typeLabel(s: JsonSchema | undefined): string {
  if (!s) return 'any';
  if (s.$ref) return refName(s.$ref);
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.oneOf || s.anyOf) return (s.oneOf ?? s.anyOf ?? []).map(typeLabel).join(' | ');
  if (s.type === 'array') return `array of ${typeLabel(s.items)}`;
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return s.type ?? 'any';
}

export function SchemaView({ schema, depth = 0 }: { schema: JsonSchema | undefined; depth?: number }) {
  if (!schema) return <span className="text-slate-500">any JSON</span>;
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return (
      <a href={`#${schemaAnchor(name)}`} className="font-mono text-indigo-700 hover:underline">
        {name}
      </a>
    );
  }
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) {
    return (
      <div>
        <span className="text-slate-600">one of:</span>
        <ol className="ml-4 list-decimal space-y-1">
          {alternatives.map((alt, i) => (
            <li key={i}>
              <SchemaView schema={alt} depth={depth + 1} />
            </li>
          ))}
        </ol>
      </div>
    );
  }
  if (schema.allOf) {
    return (
      <div className="space-y-1">
        {schema.allOf.map((part, i) => (
          <SchemaView key={i} schema={part} depth={depth + 1} />
        ))}
      </div>
    );
  }
  const notes = constraints(schema);
  const label = (
    <span>
      <span className="font-mono text-slate-800">{typeLabel(schema)}</span>
      {notes.length > 0 && <span className="text-slate-500"> ({notes.join(', ')})</span>}
      {schema.description && <span className="text-slate-600"> — {schema.description}</span>}
    </span>
  );
  if (schema.type === 'array' && schema.items && (schema.items.properties || schema.items.oneOf) && depth < 8) {
    return (
      <div>
        {label}
        <div className="ml-4">
          <SchemaView schema={schema.items} depth={depth + 1} />
        </div>
      </div>
    );
  }
  if (!schema.properties || depth >= 8) return label;
  const required = new Set(schema.required ?? []);
  return (
    <ul className="space-y-1 border-l border-slate-200 pl-3">
      {Object.entries(schema.properties).map(([name, prop]) => (
        <li key={name}>
          <span className="font-mono font-medium text-slate-900">{name}</span>
          {required.has(name) ? <span className="text-rose-700">*</span> : <span className="text-slate-500">?</span>}
          <span className="text-slate-500">: </span>
          {prop.properties || prop.oneOf || prop.anyOf || (prop.type === 'array' && prop.items?.properties) ? (
            <>
              {prop.description && <span className="text-slate-600">{prop.description}</span>}
              <SchemaView schema={{ ...prop, description: undefined }} depth={depth + 1} />
            </>
          ) : (
            <SchemaView schema={prop} depth={depth + 1} />
          )}
        </li>
      ))}
    </ul>
  );
}
