import type { Product } from '../../generated/prisma/client';

/** The columns of a product that the Product type resolves from (no timestamps: none is a field). */
export const PRODUCT_COLUMNS = ['id', 'sku', 'name', 'description', 'priceCents', 'currency', 'active'] as const satisfies readonly (keyof Product)[];

/** A product as the Product type resolves it: a Prisma row has it all, and more. */
export type ProductRow = Pick<Product, (typeof PRODUCT_COLUMNS)[number]>;
