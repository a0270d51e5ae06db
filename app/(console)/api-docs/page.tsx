// /api-docs: the HTTP API for people, rendered from the same document as GET /api/openapi.json.
import { ApiDocsView } from '@/components/api-docs/api-docs-view';
import type { OpenApiDocument } from '@/components/api-docs/openapi-types';
import { openApiDocument } from '@/lib/openapi/document';

export const metadata = { title: 'API · EventDesk' };

export default function ApiDocsPage() {
  return <ApiDocsView doc={openApiDocument() as unknown as OpenApiDocument} />;
}
