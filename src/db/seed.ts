import type { Prisma, PrismaClient } from '../generated/prisma/client';

/** How much demo data to generate. Same sizes and seed, same rows: the data is deterministic. */
export interface SeedSize {
  customers: number;
  products: number;
  warehouses: number;
  orders: number;
  /** The PRNG seed. */
  seed: number;
}

export const SEED_SIZES = {
  /** Enough to explore every field and page through lists: what `npm start` serves. */
  demo: { customers: 40, products: 60, warehouses: 3, orders: 250, seed: 1 },
  /** The benchmark's dataset: 20,000 orders of 1 to 5 items over 1,000 products. */
  bench: { customers: 2_000, products: 1_000, warehouses: 5, orders: 20_000, seed: 1 },
} as const satisfies Record<string, SeedSize>;

export type SeedSizeName = keyof typeof SEED_SIZES;

const WAREHOUSE_SITES = [
  { code: 'AMS-1', name: 'Amsterdam Fulfilment Centre', region: 'eu-west' },
  { code: 'FRA-1', name: 'Frankfurt Distribution Hub', region: 'eu-central' },
  { code: 'IAD-1', name: 'Ashburn Warehouse', region: 'us-east' },
  { code: 'SFO-1', name: 'Oakland Cross-Dock', region: 'us-west' },
  { code: 'SIN-1', name: 'Singapore Logistics Park', region: 'ap-southeast' },
  { code: 'SYD-1', name: 'Sydney Depot', region: 'ap-southeast' },
  { code: 'GRU-1', name: 'São Paulo Warehouse', region: 'sa-east' },
  { code: 'YYZ-1', name: 'Toronto Fulfilment Centre', region: 'ca-central' },
];
const ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Heavy-Duty', 'Lightweight', 'Modular', 'Portable', 'Smart', 'Vintage'];
const NOUNS = ['Backpack', 'Bottle', 'Chair', 'Desk Lamp', 'Headphones', 'Jacket', 'Kettle', 'Keyboard', 'Mug', 'Notebook', 'Speaker', 'Tent'];
const FIRST_NAMES = ['Ada', 'Bram', 'Chen', 'Dara', 'Elif', 'Femi', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kiri', 'Lena', 'Mateo', 'Noor', 'Omar', 'Priya'];
const LAST_NAMES = ['Andersen', 'Bakker', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jansen', 'Kowalski', 'Lopez'];
const STATUSES = ['PENDING', 'PAID', 'PAID', 'FULFILLED', 'FULFILLED', 'FULFILLED', 'CANCELLED'] as const;

/** The first order's timestamp; each pair of orders shares one, so cursors must break ties by id. */
const EPOCH = Date.UTC(2026, 0, 1);
const CHUNK = 5_000;

/**
 * Fills an empty database with deterministic demo data and returns the row counts.
 * Refuses a database that already has orders or products, unless `reset` empties it first.
 */
export async function seedDatabase(prisma: PrismaClient, size: SeedSize, { reset = false } = {}): Promise<Record<string, number>> {
  if (reset) {
    await prisma.$executeRawUnsafe(
      'TRUNCATE "Event", "IdempotencyKey", "InventoryAdjustment", "Shipment", "Reservation", "OrderItem", "Order", "InventoryLevel", "Product", "Warehouse", "Customer" RESTART IDENTITY CASCADE',
    );
  } else if ((await prisma.product.count()) > 0 || (await prisma.order.count()) > 0) {
    throw new Error('The database already has data: seed an empty database, or pass --reset to empty it first.');
  }
  const random = mulberry32(size.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

  const warehouses: Prisma.WarehouseCreateManyInput[] = Array.from({ length: size.warehouses }, (_, i) => {
    const site = WAREHOUSE_SITES[i % WAREHOUSE_SITES.length]!;
    const round = Math.floor(i / WAREHOUSE_SITES.length);
    return { id: i + 1, code: round ? `${site.code.slice(0, 3)}-${round + 1}` : site.code, name: site.name, region: site.region };
  });

  const products: Prisma.ProductCreateManyInput[] = Array.from({ length: size.products }, (_, i) => {
    const name = `${pick(ADJECTIVES)} ${pick(NOUNS)}`;
    return {
      id: i + 1,
      sku: `SKU-${String(i + 1).padStart(5, '0')}`,
      name: `${name} ${Math.floor(i / (ADJECTIVES.length * NOUNS.length)) + 1}`,
      description: `A ${name.toLowerCase()} from our demo catalogue.`,
      priceCents: between(5, 400) * 25 - 1,
      currency: 'USD',
      active: random() > 0.08,
      createdAt: new Date(EPOCH - (size.products - i) * 3_600_000),
    };
  });

  // Reserved units are not drawn at random: they are the reservations of the open (PENDING
  // and PAID) orders below, so that cancelling or fulfilling a seeded order balances.
  const inventory: Array<Prisma.InventoryLevelCreateManyInput & { id: number; reserved: number; onHand: number }> = [];
  const levelsByProduct = new Map<number, typeof inventory>();
  for (const product of products) {
    const stocked = Math.min(size.warehouses, between(Math.min(2, size.warehouses), size.warehouses));
    const first = between(0, size.warehouses - 1);
    const levels: typeof inventory = [];
    for (let k = 0; k < stocked; k++) {
      levels.push({
        id: inventory.length + levels.length + 1,
        productId: product.id!,
        warehouseId: ((first + k) % size.warehouses) + 1,
        onHand: between(0, 500),
        reserved: 0,
      });
    }
    inventory.push(...levels);
    levelsByProduct.set(product.id!, levels);
  }

  const customers: Prisma.CustomerCreateManyInput[] = Array.from({ length: size.customers }, (_, i) => {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    return {
      id: i + 1,
      name: `${first} ${last}`,
      email: `${first}.${last}.${i + 1}@example.com`.toLowerCase(),
      createdAt: new Date(EPOCH - (size.customers - i) * 600_000),
    };
  });

  const orders: Prisma.OrderCreateManyInput[] = [];
  const items: Prisma.OrderItemCreateManyInput[] = [];
  const reservations: Prisma.ReservationCreateManyInput[] = [];
  for (let i = 0; i < size.orders; i++) {
    const orderId = i + 1;
    const lineCount = Math.min(size.products, between(1, 5));
    const chosen = new Set<number>();
    while (chosen.size < lineCount) chosen.add(between(1, size.products));
    let totalCents = 0;
    for (const productId of chosen) {
      const quantity = between(1, 4);
      const unitPriceCents = products[productId - 1]!.priceCents;
      totalCents += quantity * unitPriceCents;
      items.push({ orderId, productId, quantity, unitPriceCents });
    }
    const createdAt = new Date(EPOCH + Math.floor(i / 2) * 60_000);
    const status = pick(STATUSES);
    if (status === 'PENDING' || status === 'PAID') {
      for (const item of items.slice(items.length - chosen.size)) {
        // The warehouse with the most available units holds the reservation; stock is topped
        // up where the generated numbers would not cover it.
        const levels = levelsByProduct.get(item.productId)!;
        const level = levels.reduce((best, l) => (l.onHand - l.reserved > best.onHand - best.reserved ? l : best));
        level.onHand = Math.max(level.onHand, level.reserved + item.quantity);
        level.reserved += item.quantity;
        reservations.push({ orderId, productId: item.productId, inventoryLevelId: level.id, quantity: item.quantity });
      }
    }
    orders.push({
      id: orderId,
      customerId: between(1, size.customers),
      status,
      currency: 'USD',
      totalCents,
      createdAt,
      updatedAt: createdAt,
    });
  }

  await insertInChunks(warehouses, (data) => prisma.warehouse.createMany({ data }));
  await insertInChunks(products, (data) => prisma.product.createMany({ data }));
  await insertInChunks(inventory, (data) => prisma.inventoryLevel.createMany({ data }));
  await insertInChunks(customers, (data) => prisma.customer.createMany({ data }));
  await insertInChunks(orders, (data) => prisma.order.createMany({ data }));
  await insertInChunks(items, (data) => prisma.orderItem.createMany({ data }));
  await insertInChunks(reservations, (data) => prisma.reservation.createMany({ data }));
  // Rows were inserted with explicit ids: move the sequences past them.
  for (const table of ['Warehouse', 'Product', 'InventoryLevel', 'Customer', 'Order']) {
    await prisma.$executeRawUnsafe(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), GREATEST((SELECT max(id) FROM "${table}"), 1))`);
  }
  // Fresh statistics: without them the planner misjudges every join on the new rows (and may
  // even JIT-compile a 3 ms query).
  await prisma.$executeRawUnsafe('ANALYZE');
  return {
    warehouses: warehouses.length,
    products: products.length,
    inventoryLevels: inventory.length,
    customers: customers.length,
    orders: orders.length,
    orderItems: items.length,
    reservations: reservations.length,
  };
}

async function insertInChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) await insert(rows.slice(start, start + CHUNK));
}

/** A small, fast, seedable PRNG (public domain): the same seed gives the same data everywhere. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
