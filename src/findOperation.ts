import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';

/** The operation a request selects: the one named `operationName`, or the only one. */
export function findOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  return document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (operationName == null || d.name?.value === operationName),
  );
}
