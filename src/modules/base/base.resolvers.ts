import type { Resolvers } from '../../generated/graphql';
import { DateTime } from './resolvers/DateTime';

export const baseResolvers: Resolvers = { DateTime };
