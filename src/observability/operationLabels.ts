/** The label of an operation sent without a name: anonymous operations are one series. */
export const ANONYMOUS_OPERATION = '(anonymous)';
/** The label of the operations past the bound: named, but not told apart. */
export const OTHER_OPERATIONS = '(other)';
/** The label of a request refused before its operation was known (malformed, invalid, refused at the edge). */
export const NO_OPERATION = '(none)';

/** A trusted client's operation: its name and the type it is declared with. */
export interface KnownOperation {
  name: string;
  type: string;
}

/**
 * Operation names as metric labels, with a bounded number of distinct values whatever clients
 * send: the trusted clients' operations (schema/operations) always have their own, under the
 * type they are declared with; then the first `maxNames` other (name, type) pairs that
 * authenticated requests send; every further name is `(other)`. So a client that sends 10,000
 * distinct names adds at most `maxNames` series per metric; an anonymous one cannot take the
 * slots at all (its new names are `(other)`), nor put a series under a trusted operation's name
 * with another type (`mutation OrderHistory` is `(other)`). Names come from the document
 * (GraphQL names: letters, digits and underscores), never from an unchecked header.
 */
export class OperationLabels {
  private readonly known: ReadonlyMap<string, string>;
  private readonly seen = new Set<string>();

  constructor(
    knownOperations: Iterable<KnownOperation>,
    private readonly maxNames: number,
  ) {
    this.known = new Map([...knownOperations].map(({ name, type }) => [name, type]));
  }

  /** `mayClaim`: whether this request may take a free slot for a name not seen yet (authenticated requests). */
  labelOf(name: string | undefined, type: string, mayClaim: boolean): string {
    if (name === undefined || name === '') return ANONYMOUS_OPERATION;
    const knownType = this.known.get(name);
    if (knownType !== undefined) return knownType === type ? name : OTHER_OPERATIONS;
    const key = `${type} ${name}`;
    if (this.seen.has(key)) return name;
    if (!mayClaim || this.seen.size >= this.maxNames) return OTHER_OPERATIONS;
    this.seen.add(key);
    return name;
  }
}
