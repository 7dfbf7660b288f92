import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { signHs256Token } from '../auth/signToken';
import type { Config } from '../config';
import { listGraphQLFiles, OPERATIONS_DIR } from '../server/schemaFiles';
import { PROJECT_ROOT } from '../projectRoot';

/** A GraphiQL tab: an operation and its variables (JSON text). */
export interface IdeTab {
  query: string;
  variables?: string;
}

/** What the page hands GraphiQL (src/ide/browser/boot.js reads it). */
export interface IdeSettings {
  /** The first tab, and what a new tab opens with. */
  defaultQuery: string;
  /** The headers pane (JSON text): the development token, or empty. */
  defaultHeaders: string;
  /** The default query, then every client operation of schema/operations/. */
  defaultTabs: IdeTab[];
  /** The same credentials for subscriptions (graphql-ws connectionParams), or null. */
  connectionParams: Record<string, string> | null;
}

/** The catalogue is @public: this runs with or without a token. */
export const DEFAULT_QUERY = `# The catalogue is public: this runs with or without the token in Headers.
# The other tabs: the operations of schema/operations/.
query Products {
  products(first: 5) {
    totalCount
    edges {
      node { sku name price { amount currency } totalAvailable }
    }
  }
}
`;

/** A development token outlives a working day at the IDE; each page load mints a fresh one. */
const DEV_TOKEN_TTL = '12h';

/**
 * The IDE's settings for one page load. In development, with the HS256 secret that config
 * holds only there (the built-in one or JWT_SECRET), the headers carry an admin token, so
 * that every example operation runs; anywhere else, no token is ever minted and the viewer
 * brings their own.
 */
export function createIdeSettings(config: Config, operationsDir = OPERATIONS_DIR): () => Promise<IdeSettings> {
  const exampleTabs = loadExampleTabs(operationsDir);
  const secret = config.isDevelopment ? config.auth.jwtSecret : undefined;
  return async () => {
    const authorization = secret
      ? `Bearer ${await signHs256Token({
          secret,
          issuer: config.auth.jwtIssuer,
          audience: config.auth.jwtAudience,
          subject: 'dev-ide',
          claims: { roles: ['admin'] },
          expiresIn: DEV_TOKEN_TTL,
        })}`
      : undefined;
    return {
      defaultQuery: DEFAULT_QUERY,
      defaultHeaders: authorization ? JSON.stringify({ Authorization: authorization }, null, 2) : '',
      defaultTabs: [{ query: DEFAULT_QUERY }, ...exampleTabs],
      connectionParams: authorization ? { authorization } : null,
    };
  };
}

/** Each operation of `dir` as a tab, headed by its file, with its `<name>.variables.json` when there is one. */
export function loadExampleTabs(dir = OPERATIONS_DIR): IdeTab[] {
  if (!existsSync(dir)) return [];
  return listGraphQLFiles(dir).map((file) => {
    const variablesFile = file.replace(/\.graphql$/, '.variables.json');
    const query = `# ${path.relative(PROJECT_ROOT, file).split(path.sep).join('/')}\n${readFileSync(file, 'utf8')}`;
    return existsSync(variablesFile) ? { query, variables: readFileSync(variablesFile, 'utf8').trim() } : { query };
  });
}
