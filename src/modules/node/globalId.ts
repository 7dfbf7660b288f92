import { BadUserInputError } from '../../errors';

/** The types that implement Node, i.e. whose ids are global ids. */
export const NODE_TYPES = ['Customer', 'Product', 'Warehouse', 'InventoryLevel', 'Order', 'OrderItem'] as const;
export type NodeType = (typeof NODE_TYPES)[number];
const nodeTypes: ReadonlySet<string> = new Set(NODE_TYPES);

export interface GlobalId {
  type: NodeType;
  id: number;
}

/** Opaque global ids: base64url of "<Type>:<database id>". Clients must not parse them. */
export function toGlobalId(type: NodeType, id: number): string {
  return Buffer.from(`${type}:${id}`).toString('base64url');
}

/** Decodes any global id, or throws BAD_USER_INPUT naming the argument. */
export function fromGlobalId(globalId: string, argument = 'id'): GlobalId {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const separator = decoded.indexOf(':');
  const type = decoded.slice(0, separator);
  const idText = decoded.slice(separator + 1);
  const id = Number(idText);
  if (
    separator < 1 ||
    !nodeTypes.has(type) ||
    !/^[1-9][0-9]{0,9}$/.test(idText) ||
    id > 2_147_483_647 ||
    toGlobalId(type as NodeType, id) !== globalId.replace(/=+$/, '')
  ) {
    throw new BadUserInputError(`Argument "${argument}" is not a valid ID.`, { argument });
  }
  return { type: type as NodeType, id };
}

/** Decodes a global id that must be of one type (order(id:) takes only Order ids). */
export function fromGlobalIdOf(type: NodeType, globalId: string, argument = 'id'): number {
  const decoded = fromGlobalId(globalId, argument);
  if (decoded.type !== type) {
    throw new BadUserInputError(`Argument "${argument}" must be the ID of a ${type}, not of a ${decoded.type}.`, { argument });
  }
  return decoded.id;
}
