import type { GraphQLScalarType } from 'graphql';
import type { Resolvers } from '../../generated/graphql';
import { DateTime } from './resolvers/DateTime';

/**
 * Only a scalar's behaviour goes to the schema builder: given the whole GraphQLScalarType it
 * would also copy its (empty) description over the one the SDL gives.
 */
function behaviourOf(scalar: GraphQLScalarType): GraphQLScalarType {
  const { serialize, parseValue, parseLiteral } = scalar;
  return { serialize, parseValue, parseLiteral } as GraphQLScalarType;
}

export const baseResolvers: Resolvers = { DateTime: behaviourOf(DateTime) };
