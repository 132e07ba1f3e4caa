import type { AccountRecord } from '../storage/types.ts';

/**
 * What our simulated carriers decide on their side (provider-api.md gives the
 * real protocol). Kept small and documented in README "Simulated carriers".
 */

/** Quota a franchise carrier grants an account when it is bound. */
export const INITIAL_QUOTA = 1000;

/**
 * The carrier rejects an account password that is empty or starts with
 * `wrong` (house rule 5: such an account gives 9300531 at addOrder).
 */
export const carrierAcceptsPassword = (account: AccountRecord): boolean => account.password !== '' && !account.password.startsWith('wrong');

/** delivery_resultcode/msg when the carrier refuses an order without goods (business-api.md §1.3, SF live). */
export const EMPTY_DETAIL_LIST = { delivery_resultcode: 30001, delivery_resultmsg: 'cargo.detailList is empty' } as const;
