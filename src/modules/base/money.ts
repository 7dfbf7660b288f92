import type { Money } from '../../generated/graphql';

export function money(amount: number, currency: string): Money {
  return { amount, currency };
}
