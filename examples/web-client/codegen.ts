import { join } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Where the schema comes from:
 * - a running gateway, by introspection: what a frontend team has. Outside development the
 *   gateway answers introspection only to a viewer with the schema:read scope, so credentials
 *   can be sent with it (an Authorization header or an X-API-Key header);
 * - the gateway's SDL in this repository (schema/): what CI has, with no server running.
 * Both give the same output: the gateway serves the schema its SDL describes.
 */
export type SchemaSource = { kind: 'url'; url: string; headers?: Record<string, string> } | { kind: 'sdl' };

const sdlRoot = join(__dirname, '..', '..', 'schema');
const here = (path: string) => join(__dirname, path);

export function createCodegenConfig(source: SchemaSource): CodegenConfig {
  return {
    schema:
      source.kind === 'sdl'
        ? // The snapshot and the client operations live under schema/ but are not sources of it.
          [join(sdlRoot, '**/*.graphql'), `!${join(sdlRoot, 'snapshot.graphql')}`, `!${join(sdlRoot, 'operations/**')}`]
        : { [source.url]: { headers: source.headers ?? {} } },
    documents: [here('src/**/*.ts'), `!${here('src/gql/**')}`],
    generates: {
      [here('src/gql/')]: {
        preset: 'client',
        // Each document carries its trusted-document id (document.__meta__.hash, "sha256:<hex>"),
        // which src/request.ts sends instead of the text; src/gql/persisted-documents.json lists
        // them, and the gateway's manifest (npm run documents:publish) holds the same ones.
        presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
        config: {
          // DateTime travels as an ISO 8601 string in JSON; parse it where it is shown.
          scalars: { DateTime: 'string' },
          strictScalars: true,
          enumsAsTypes: true,
          useTypeImports: true,
        },
      },
    },
  };
}

/**
 * The source from the environment, as `npm run codegen` (sdl) and `npm run codegen:url` set it:
 * GRAPHQL_SCHEMA_SOURCE is `url` (the default) or `sdl`; GRAPHQL_URL names the gateway
 * (default http://127.0.0.1:4000/graphql); GRAPHQL_AUTHORIZATION, when set, is sent as the
 * Authorization header ("Bearer <token>"), GRAPHQL_API_KEY as the X-API-Key header (one of the two).
 */
export function schemaSourceOfEnv(env: Record<string, string | undefined>): SchemaSource {
  const kind = env.GRAPHQL_SCHEMA_SOURCE || 'url';
  if (kind === 'sdl') return { kind };
  if (kind !== 'url') {
    throw new Error(`GRAPHQL_SCHEMA_SOURCE must be "url" (a running gateway, the default) or "sdl" (schema/ in this repository); got "${kind}".`);
  }
  const headers: Record<string, string> = {};
  if (env.GRAPHQL_AUTHORIZATION) headers.authorization = env.GRAPHQL_AUTHORIZATION;
  if (env.GRAPHQL_API_KEY) headers['x-api-key'] = env.GRAPHQL_API_KEY;
  return { kind, url: env.GRAPHQL_URL || 'http://127.0.0.1:4000/graphql', headers };
}

export default createCodegenConfig(schemaSourceOfEnv(process.env));
