// The document of this build, built once per process (the registry and schemas do not change).
import { buildOpenApiDocument, type JsonObject } from './build-document';

const cache = globalThis as unknown as { __eventdeskOpenApi?: JsonObject };

export function openApiDocument(): JsonObject {
  return (cache.__eventdeskOpenApi ??= buildOpenApiDocument());
}
