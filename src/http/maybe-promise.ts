/**
 * Values that are there at once or come later: a request path that answers in the same turn when
 * nothing has to be read (a kept answer, a recent lookup) hands on a value, else a promise.
 */

/** A value, or a promise of it where it had to wait (a store read). */
export type MaybePromise<T> = T | PromiseLike<T>;

/** Whether a MaybePromise is still to come: any thenable, as `await` would take it. */
export const isPending = <T>(value: MaybePromise<T>): value is PromiseLike<T> =>
  typeof (value as PromiseLike<T> | null)?.then === 'function';

/**
 * `onValue(value)` now when the value is there, or once it comes (`onError` if it is refused);
 * a throw of `onValue` on a value that is there is the caller's, as any synchronous throw.
 */
export function thenOrNow<T, R>(value: MaybePromise<T>, onValue: (value: T) => R, onError?: (error: unknown) => R): MaybePromise<R> {
  return isPending(value) ? Promise.resolve(value).then(onValue, onError) : onValue(value);
}
