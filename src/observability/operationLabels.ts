/** The label of an operation sent without a name: anonymous operations are one series. */
export const ANONYMOUS_OPERATION = '(anonymous)';
/** The label of the operations past the bound: named, but not told apart. */
export const OTHER_OPERATIONS = '(other)';
/** The label of a request refused before its operation was known (malformed, invalid, refused at the edge). */
export const NO_OPERATION = '(none)';

/**
 * Operation names as metric labels, with a bounded number of distinct values whatever clients
 * send: the names of the trusted clients' operations (schema/operations) always have their own,
 * then the first `maxNames` other names seen, then every further name is `(other)`. A client
 * that sends 10,000 distinct names therefore adds at most `maxNames` series per metric, and
 * the known operations keep theirs. Names come from the document (GraphQL names: letters,
 * digits and underscores), never from an unchecked header.
 */
export class OperationLabels {
  private readonly known: ReadonlySet<string>;
  private readonly seen = new Set<string>();

  constructor(
    knownNames: Iterable<string>,
    private readonly maxNames: number,
  ) {
    this.known = new Set(knownNames);
  }

  labelOf(name: string | undefined): string {
    if (name === undefined || name === '') return ANONYMOUS_OPERATION;
    if (this.known.has(name) || this.seen.has(name)) return name;
    if (this.seen.size >= this.maxNames) return OTHER_OPERATIONS;
    this.seen.add(name);
    return name;
  }
}
