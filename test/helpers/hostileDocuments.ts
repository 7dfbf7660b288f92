/**
 * The fragment bomb: fragment Pi spreads P(i+1) twice, for i < levels, and the last
 * selects `last`. 968 bytes at 22 levels; inlined, 2^levels selections.
 */
export function fragmentBomb(levels: number, last = 'sku'): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment P${i} on Product { ...P${i + 1} ...P${i + 1} }`);
  return `{ product(sku: "SKU-00001") { ...P0 } } ${fragments.join(' ')} fragment P${levels} on Product { ${last} }`;
}
