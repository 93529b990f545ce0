/** Avro schemas shared by the avro and schema-registry tests: an Order and its evolutions. */
export const orderV1 = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
} as const;

/** v1 plus a field with a default: BACKWARD compatible. */
export const orderV2 = {
  ...orderV1,
  fields: [...orderV1.fields, { name: 'currency', type: 'string', default: 'EUR' }],
} as const;

/** v1 plus a field without a default: not BACKWARD compatible. */
export const orderNoDefault = {
  ...orderV1,
  fields: [...orderV1.fields, { name: 'customer', type: 'string' }],
} as const;

/** v1 with `amount` changed from double to string: incompatible either way. */
export const orderAmountString = {
  ...orderV1,
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'string' },
  ],
} as const;

export interface OrderV1 {
  id: string;
  amount: number;
}
export interface OrderV2 extends OrderV1 {
  currency: string;
}
