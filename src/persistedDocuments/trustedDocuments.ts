import type { Viewer } from '../auth/viewer';
import { ErrorCode, PersistedDocumentError, PersistedQueryNotAllowedError, type GatewayError } from '../errors';
import type { SentOperation } from '../pipeline/sentOperation';
import type { PersistedQueryManifest } from './manifest';

const DOCUMENT_ID_PREFIX = 'sha256:';

/**
 * Trusted documents at the edge, for HTTP and WebSocket alike, before anything parses: an
 * operation naming a document of the manifest (`documentId: "sha256:<hex>"`, or
 * `extensions.persistedQuery.sha256Hash`) becomes that document, for any client, with no
 * registration. A client locked to its documents (TRUSTED_DOCUMENTS_CLIENTS, matched against
 * the API key's client name: a header anyone can set decides nothing) may send nothing but the
 * ids published for it: a leaked web-shop key does not run the support tool's operations.
 */
export class TrustedDocuments {
  private readonly documents = new Map<string, { body: string; clients: Set<string> }>();
  private readonly locked: ReadonlySet<string>;

  constructor(manifest: PersistedQueryManifest, lockedClients: readonly string[]) {
    for (const { id, body, clientName } of manifest.operations) {
      const known = this.documents.get(id);
      if (known) known.clients.add(clientName);
      else this.documents.set(id, { body, clients: new Set([clientName]) });
    }
    this.locked = new Set(lockedClients);
  }

  /** True when the viewer's client may run only trusted documents. */
  isLocked(viewer: Viewer | null): boolean {
    return viewer?.clientName != null && this.locked.has(viewer.clientName);
  }

  /**
   * The operation to run: the trusted document it names (its `persistedQuery` extension and
   * `documentId` gone, so that Apollo neither looks it up nor registers it as an APQ), or the
   * operation as sent; or the refusal. An operation checked by checkSentOperation: a query sent
   * with a hash is that hash's text, a documentId is well-formed.
   */
  resolve(operation: SentOperation, viewer: Viewer | null, transport: 'http' | 'websocket'): SentOperation | GatewayError {
    const extensions = isObject(operation.extensions) ? operation.extensions : undefined;
    const persisted = isObject(extensions?.persistedQuery) ? extensions.persistedQuery : undefined;
    const hash =
      typeof operation.documentId === 'string'
        ? operation.documentId.slice(DOCUMENT_ID_PREFIX.length)
        : typeof persisted?.sha256Hash === 'string'
          ? persisted.sha256Hash
          : undefined;
    const document = hash === undefined ? undefined : this.documents.get(hash);
    const locked = this.isLocked(viewer);
    if (document && (!locked || document.clients.has(viewer!.clientName!))) {
      const { documentId: _id, extensions: _extensions, ...rest } = operation;
      const { persistedQuery: _hash, ...otherExtensions } = extensions ?? {};
      // Apollo refuses a body whose `extensions` is present but not an object: none stays none.
      return { ...rest, query: document.body, ...(extensions ? { extensions: otherExtensions } : {}) };
    }
    if (locked) return new PersistedQueryNotAllowedError(viewer!.clientName!);
    if (typeof operation.documentId === 'string') {
      return new PersistedDocumentError(
        ErrorCode.PERSISTED_QUERY_NOT_FOUND,
        'No trusted document has this documentId: send one of the manifest (npm run documents:publish), or the query itself.',
      );
    }
    const sentQuery = typeof operation.query === 'string' && operation.query !== '';
    if (hash !== undefined && !sentQuery) {
      if (transport === 'websocket') {
        return new PersistedDocumentError(
          ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
          'Automatic persisted queries are served over HTTP only: over WebSocket, send the query, or the id of a trusted document.',
        );
      }
      // An automatic persisted query: Apollo Server looks it up in its store (an empty query counts as none).
      const { query: _empty, ...withoutQuery } = operation;
      return withoutQuery;
    }
    return operation;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
