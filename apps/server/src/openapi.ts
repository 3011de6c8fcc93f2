/** Builds the OpenAPI 3.1 document and the `/docs` page from the routes' own schemas. */

/** What the OpenAPI document needs to know about one route. */
export interface RouteDoc {
  method: 'GET' | 'POST' | 'DELETE';
  /** Fastify path, e.g. `/v1/tasks/:id`. */
  url: string;
  summary: string;
  body?: object;
  params?: { properties: Record<string, object> };
  /** Status code → JSON schema of the body, or a content type for non-JSON bodies. */
  responses: Record<number, { description: string; schema?: object; contentType?: string }>;
}

function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_]+)/g, '{$1}');
}

/** `POST /v1/tasks/:id/entities` → `postV1TasksIdEntities`. */
function operationId(r: RouteDoc): string {
  const words = r.url.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return r.method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** The OpenAPI 3.1 document for `routes`. */
export function buildOpenApi(routes: readonly RouteDoc[], info: { title: string; version: string }): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const r of routes) {
    const op: Record<string, unknown> = {
      summary: r.summary,
      operationId: operationId(r),
    };
    if (r.params) {
      op['parameters'] = Object.entries(r.params.properties).map(([name, schema]) => ({
        name,
        in: 'path',
        required: true,
        schema,
      }));
    }
    if (r.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: r.body } } };
    op['responses'] = Object.fromEntries(
      Object.entries(r.responses).map(([status, res]) => {
        const out: Record<string, unknown> = { description: res.description };
        if (res.schema) out['content'] = { [res.contentType ?? 'application/json']: { schema: res.schema } };
        else if (res.contentType) out['content'] = { [res.contentType]: { schema: { type: 'string' } } };
        return [status, out];
      }),
    );
    const path = openApiPath(r.url);
    paths[path] ??= {};
    paths[path]![r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'Few-shot Japanese NER. Offsets are UTF-16 code units (JavaScript string indices), end exclusive. ' +
        'Errors are {"error": {"code", "message", "field"?}}.',
    },
    paths,
  };
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A self-contained HTML page listing the routes and linking the OpenAPI document. */
export function docsPage(routes: readonly RouteDoc[], title: string): string {
  const rows = routes
    .map(
      (r) =>
        `<tr><td><code>${r.method}</code></td><td><code>${escapeHtml(r.url)}</code></td><td>${escapeHtml(r.summary)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}td{padding:.25rem .75rem;border-bottom:1px solid #ddd}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>The machine-readable API description is at <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1; load it into any OpenAPI viewer or client generator).</p>
<p>Offsets are UTF-16 code units, <code>end</code> exclusive. Errors are <code>{"error": {"code", "message", "field"}}</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
}
