/**
 * The benchmark query, compiled by hand into one SQL statement that returns the very JSON the
 * gateway returns (json_agg over correlated subqueries): the practical throughput limit for
 * this query on this machine, without GraphQL, HTTP or an ORM in the way.
 */
export const HAND_WRITTEN_ORDERS_SQL = `
WITH page AS (
  SELECT * FROM "Order" ORDER BY "createdAt" DESC, id DESC LIMIT $1
)
SELECT json_build_object('orders', json_build_object('edges', coalesce(json_agg(json_build_object('node', json_build_object(
  'id', translate(rtrim(encode(convert_to('Order:' || o.id, 'UTF8'), 'base64'), '='), '+/', '-_'),
  'status', o.status,
  'createdAt', to_char(o."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'customer', json_build_object('name', c.name, 'email', c.email),
  'items', (
    SELECT coalesce(json_agg(json_build_object(
      'quantity', i.quantity,
      'unitPrice', json_build_object('amount', i."unitPriceCents", 'currency', o.currency),
      'product', json_build_object('sku', p.sku, 'name', p.name, 'inventory', (
        SELECT coalesce(json_agg(json_build_object('available', l."onHand" - l.reserved, 'warehouse', json_build_object('code', w.code)) ORDER BY l."warehouseId"), '[]'::json)
        FROM "InventoryLevel" l JOIN "Warehouse" w ON w.id = l."warehouseId"
        WHERE l."productId" = p.id))
    ) ORDER BY i.id), '[]'::json)
    FROM "OrderItem" i JOIN "Product" p ON p.id = i."productId"
    WHERE i."orderId" = o.id)
)) ORDER BY o."createdAt" DESC, o.id DESC), '[]'::json)))::text AS data
FROM page o JOIN "Customer" c ON c.id = o."customerId"`;
