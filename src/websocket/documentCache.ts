import { GraphQLError, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { BoundedMemo } from '../analysis/boundedMemo';
import { ErrorCode } from '../errors';

export type ParsedDocument = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/**
 * Parses and validates the documents WebSocket operations send, once per distinct query text,
 * with the same rules Apollo Server applies over HTTP (the token limit, no introspection
 * outside development, no "Did you mean" suggestions), and hands every operation with the
 * same text the same DocumentNode, so that its analysis is cached too.
 */
export class DocumentCache {
  private readonly documents: BoundedMemo<ParsedDocument>;
  private readonly rules;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: { maxTokens: number; introspection: boolean; hideSuggestions: boolean; capacity?: number },
  ) {
    this.documents = new BoundedMemo(options.capacity ?? 500);
    this.rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
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
    const errors = validate(this.schema, document, this.rules);
    if (errors.length === 0) return { document };
    return {
      errors: errors.map(
        (error) =>
          new GraphQLError(this.options.hideSuggestions ? error.message.replace(/ ?Did you mean(.+?)\?$/, '') : error.message, {
            nodes: error.nodes,
            extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
          }),
      ),
    };
  }
}
