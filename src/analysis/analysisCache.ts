import type { DocumentNode, GraphQLSchema } from 'graphql';
import { OperationAnalysis } from './operationAnalysis';

/** Operations of one document whose analyses are kept: a client cannot grow it by naming more. */
const MAX_OPERATIONS_PER_DOCUMENT = 8;

/**
 * The analyses of the documents clients send, each computed once per document and operation
 * name, and kept exactly as long as the parsed document itself is: Apollo Server's document
 * store (an LRU bounded by size) and the WebSocket transport's DocumentCache hand every
 * request with the same query text the same DocumentNode while they hold it, and drop it when
 * they evict it. So this cache needs no bound of its own beyond the operations per document.
 */
export class AnalysisCache {
  private readonly documents = new WeakMap<DocumentNode, Map<string, OperationAnalysis>>();
  /** Analyses computed (not served from the cache): what the tests count. */
  built = 0;

  constructor(private readonly schema: GraphQLSchema) {}

  /** The analysis of the operation the request selects; undefined when the document has no such operation. */
  get(document: DocumentNode, operationName: string | null | undefined): OperationAnalysis | undefined {
    let byName = this.documents.get(document);
    if (!byName) this.documents.set(document, (byName = new Map()));
    const name = operationName ?? '';
    const known = byName.get(name);
    if (known) return known;
    this.built += 1;
    const analysis = OperationAnalysis.of(this.schema, document, operationName);
    // Names that select no operation are not remembered, nor operations past the cap: they
    // are analysed again, in time linear in the document, rather than kept.
    if (analysis && byName.size < MAX_OPERATIONS_PER_DOCUMENT) byName.set(name, analysis);
    return analysis;
  }
}
