import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../projectRoot';

/** Where the IDE's files are served: /graphql/ide/<name>. */
export const IDE_ASSET_PREFIX = '/graphql/ide/';

export interface IdeAsset {
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

const JAVASCRIPT = 'text/javascript; charset=utf-8';

/** A file of an installed package; each exports its package.json, not these files. */
function packageFile(packageName: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${packageName}/package.json`)), file);
}

/**
 * The only files the IDE serves, by name: a request for any other name is 404, so no path a
 * client sends ever reaches the file system. GraphiQL's standalone bundle expects React and
 * ReactDOM as globals; graphql-ws's UMD build carries subscriptions over WebSocket.
 */
const ALLOWLIST: Record<string, { file: () => string; contentType: string }> = {
  'react.production.min.js': { file: () => packageFile('react', 'umd/react.production.min.js'), contentType: JAVASCRIPT },
  'react-dom.production.min.js': { file: () => packageFile('react-dom', 'umd/react-dom.production.min.js'), contentType: JAVASCRIPT },
  'graphql-ws.min.js': { file: () => packageFile('graphql-ws', 'umd/graphql-ws.min.js'), contentType: JAVASCRIPT },
  'graphiql.min.js': { file: () => packageFile('graphiql', 'graphiql.min.js'), contentType: JAVASCRIPT },
  // The name the bundle's sourceMappingURL gives its map: browser devtools ask for it.
  'index.umd.js.map': { file: () => packageFile('graphiql', 'graphiql.min.js.map'), contentType: 'application/json; charset=utf-8' },
  // Its fonts are inlined as data: URLs; it imports nothing.
  'graphiql.min.css': { file: () => packageFile('graphiql', 'graphiql.min.css'), contentType: 'text/css; charset=utf-8' },
  'boot.js': { file: () => path.join(PROJECT_ROOT, 'src/ide/browser/boot.js'), contentType: JAVASCRIPT },
  'ide.css': { file: () => path.join(PROJECT_ROOT, 'src/ide/browser/ide.css'), contentType: 'text/css; charset=utf-8' },
};

/** Our own files change with this code, so the browser revalidates them. */
const OWN_FILES = new Set(['boot.js', 'ide.css']);

/**
 * Reads every allowed file once, at start-up: a missing package fails the start, not a
 * request. Vendor files change only with an install (which restarts the server), so the
 * browser may keep them an hour.
 */
export function loadIdeAssets(): ReadonlyMap<string, IdeAsset> {
  return new Map(
    Object.entries(ALLOWLIST).map(([name, { file, contentType }]) => [
      name,
      { body: readFileSync(file()), contentType, cacheControl: OWN_FILES.has(name) ? 'no-cache' : 'public, max-age=3600' },
    ]),
  );
}
