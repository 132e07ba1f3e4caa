/**
 * Masks the middle of a phone number for a privacy label: `18600000000` → `186****0000`.
 * Eleven characters or more keep the first 3 and last 4; shorter numbers (landlines without
 * area code) keep only the last 4; four characters or fewer are masked entirely.
 */
export function maskPhone(phone: string): string {
  const s = phone.trim();
  if (s.length >= 11) return s.slice(0, 3) + '*'.repeat(s.length - 7) + s.slice(-4);
  if (s.length > 4) return '*'.repeat(s.length - 4) + s.slice(-4);
  return '*'.repeat(s.length);
}
