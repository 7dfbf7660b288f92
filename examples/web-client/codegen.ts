import { join } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed operations for the web shop, with GraphQL Code Generator's client preset.
 *
 * Where the schema comes from (GRAPHQL_SCHEMA_SOURCE):
 * - `url` (the default): a running gateway, by introspection. GRAPHQL_URL names it
 *   (default http://127.0.0.1:4000/graphql); GRAPHQL_AUTHORIZATION, when set, is sent as the
 *   Authorization header, for a gateway whose introspection is closed to anonymous clients
 *   (outside development it needs the schema:read scope).
 * - `sdl`: the gateway's SDL in this repository, as the gateway's own codegen reads it; CI
 *   regenerates from it, with no server running, and fails on a diff.
 * Both give the same output: the gateway serves the schema its SDL describes.
 */
const source = process.env.GRAPHQL_SCHEMA_SOURCE ?? 'url';
if (source !== 'url' && source !== 'sdl') {
  throw new Error(`GRAPHQL_SCHEMA_SOURCE must be "url" (a running gateway, the default) or "sdl" (schema/ in this repository); got "${source}".`);
}

const here = (path: string) => join(__dirname, path);
const sdlRoot = join(__dirname, '..', '..', 'schema');
const url = process.env.GRAPHQL_URL || 'http://127.0.0.1:4000/graphql';
const authorization = process.env.GRAPHQL_AUTHORIZATION;

const schema: CodegenConfig['schema'] =
  source === 'sdl'
    ? // The snapshot and the client operations live under schema/ but are not sources of it.
      [join(sdlRoot, '**/*.graphql'), `!${join(sdlRoot, 'snapshot.graphql')}`, `!${join(sdlRoot, 'operations/**')}`]
    : { [url]: { headers: authorization ? { authorization } : {} } };

const config: CodegenConfig = {
  schema,
  documents: [here('src/**/*.ts'), `!${here('src/gql/**')}`],
  ignoreNoDocuments: false,
  generates: {
    [here('src/gql/')]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
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

export default config;
