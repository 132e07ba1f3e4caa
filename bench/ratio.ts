/**
 * A same-run ratio with two decimals, or three where rounding would carry it up to its target:
 * 0.495 against a target of 0.50 shows as 0.495 ❌, not 0.50 ❌.
 */
export const ratioShown = (ratio: number, target?: number): string =>
  target !== undefined && ratio < target && Number(ratio.toFixed(2)) >= target ? ratio.toFixed(3) : ratio.toFixed(2);
