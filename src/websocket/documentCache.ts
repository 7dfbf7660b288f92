import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { BoundedMemo } from '../analysis/boundedMemo';
import { ErrorCode } from '../errors';

export type ParsedDocument = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/**
 * Parses and validates the documents WebSocket operations send, once per distinct query text,
 * with the same rules Apollo Server applies over HTTP (the token limit, no "Did you mean"
 * suggestions outside development), and hands every operation with the
 * same text the same DocumentNode, so that its analysis is cached too. Bounded by the number
 * and the total text of the documents it keeps.
 */
export class DocumentCache {
  private readonly documents: BoundedMemo<ParsedDocument>;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: { maxTokens: number; hideSuggestions: boolean },
  ) {
    // A parsed document takes some tens of times its text: 2 MB of text is tens of MB kept.
    this.documents = new BoundedMemo(500, { maxWeight: 2_000_000, weigh: (query) => query.length });
  }

  get(query: string): ParsedDocument {
    return this.documents.get(query, () => this.parseAndValidate(query));
  }

  private parseAndValidate(query: string): ParsedDocument {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.options.maxTokens });
    } catch (error) {
      const syntax = error as GraphQLError;
      return { errors: [new GraphQLError(syntax.message, { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })] };
    }
    const errors = validate(this.schema, document, undefined, { hideSuggestions: this.options.hideSuggestions });
    if (errors.length === 0) return { document };
    return {
      errors: errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } })),
    };
  }
}
