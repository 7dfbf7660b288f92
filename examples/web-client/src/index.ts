export { request, GraphQLRequestError, type RequestOptions, type GatewayGraphQLError } from './request';
export { fetchOrderHistoryPage, OrderHistoryDocument, type OrderHistoryPage, type OrderSummary } from './orderHistory';
export { fetchProductPage, ProductPageDocument, type ProductDetails } from './productPage';
export { placeOrder, PlaceOrderDocument, type PlaceOrderResult } from './placeOrder';
