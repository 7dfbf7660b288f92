import type { DocumentNode, GraphQLSchema } from 'graphql';
import { OperationAnalysis } from './operationAnalysis';

const DEFAULT_CAPACITY = 1_000;

/**
 * The analyses of the documents clients send, each computed once per document and operation
 * name. Keyed by the parsed document itself: Apollo Server hands every request with the same
 * query text the same DocumentNode from its document store, and the WebSocket transport parses
 * through its own cache (see DocumentCache) for the same effect. Bounded: the least recently
 * used document is dropped first.
 */
export class AnalysisCache {
  private readonly documents = new Map<DocumentNode, Map<string, OperationAnalysis | undefined>>();
  /** Analyses computed (not served from the cache): what the tests count. */
  built = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /** The analysis of the operation the request selects; undefined when the document has no such operation. */
  get(document: DocumentNode, operationName: string | null | undefined): OperationAnalysis | undefined {
    let byName = this.documents.get(document);
    if (byName) {
      this.documents.delete(document);
      this.documents.set(document, byName);
    } else {
      if (this.documents.size >= this.capacity) this.documents.delete(this.documents.keys().next().value!);
      byName = new Map();
      this.documents.set(document, byName);
    }
    const name = operationName ?? '';
    if (byName.has(name)) return byName.get(name);
    this.built += 1;
    const analysis = OperationAnalysis.of(this.schema, document, operationName);
    // A document holds few operations; names that select none are not remembered, so that a
    // client cannot grow this map with made-up names.
    if (analysis) byName.set(name, analysis);
    return analysis;
  }
}
