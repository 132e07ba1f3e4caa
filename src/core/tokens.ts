import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/** Lifetime of every access token, as WeChat's `expires_in` (auth-and-errors.md §1). */
export const TOKEN_TTL_SECONDS = 7200;
/** The previous token keeps working this long after a new one is issued (house rule 12). */
export const TOKEN_OVERLAP_SECONDS = 300;
/** stable_token rotates when less than this remains (auth-and-errors.md §2). */
export const STABLE_ROTATE_BEFORE_SECONDS = 300;
export const FORCE_REFRESH_PER_DAY = 20;
export const FORCE_REFRESH_MIN_GAP_SECONDS = 30;

export type TokenKind = 'token' | 'stable';

/**
 * A token shaped like WeChat's (auth-and-errors.md §3): a decimal prefix and
 * `_`, then URL-safe base64 of random bytes; 137 characters in all.
 */
export function newAccessToken(): string {
  return '86_' + randomBytes(100).toString('base64url');
}

/** Tokens are stored by hash only: a leaked database does not leak bearer tokens. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url');

export const looksLikeToken = (token: string): boolean => /^[0-9]{1,3}_[A-Za-z0-9_-]{20,600}$/.test(token);

/** The day (Asia/Shanghai, as WeChat counts daily limits) a Unix second falls in. */
export const shanghaiDay = (unixSeconds: number): number => Math.floor((unixSeconds + 8 * 3600) / 86400);

// Secrets are stored only as a slow hash: scrypt with a per-app salt. scrypt feeds
// the password to HMAC-SHA256 as its key, and HMAC pads a short key with zero bytes,
// so `s` and `s\0` would hash alike. The password is therefore SHA-256 of the secret
// (always 32 bytes: no padding ambiguity), and a secret matches only byte for byte.
const SCRYPT = { N: 1 << 14, r: 8, p: 1 } as const;
const SCHEME = 'scrypt-sha256';
/** Hashes of the first releases: scrypt over the raw secret. */
const LEGACY_SCHEME = 'scrypt';

const password = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

/**
 * `standard`: N = 2^14, for secrets at rest (a data directory, a database).
 * `light`: N = 2^10, 16× cheaper, for a store that lives only in the process's
 * memory — there is nothing at rest for the slow hash to protect, and test
 * suites create an app per server. N is part of the stored hash, so either
 * verifies the same way.
 */
export type SecretHashCost = 'standard' | 'light';
const COST_N: Record<SecretHashCost, number> = { standard: SCRYPT.N, light: 1 << 10 };

export function hashSecret(secret: string, cost: SecretHashCost = 'standard'): string {
  const salt = randomBytes(16);
  const N = COST_N[cost];
  const key = scryptSync(password(secret), salt, 32, { ...SCRYPT, N });
  return `${SCHEME}$${N}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export function verifySecret(secret: string, stored: string): boolean {
  const [scheme, n, salt, key] = stored.split('$');
  if (!n || !salt || !key) return false;
  let input: Buffer;
  if (scheme === SCHEME) input = password(secret);
  // A legacy hash cannot tell `s` from `s\0…`; no real secret holds a NUL, so one never matches.
  else if (scheme === LEGACY_SCHEME && !secret.includes('\0')) input = Buffer.from(secret, 'utf8');
  else return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = scryptSync(input, Buffer.from(salt, 'base64url'), expected.length, { ...SCRYPT, N: Number(n) });
  return timingSafeEqual(expected, actual);
}

/** A random app secret like WeChat's: 32 lowercase hex characters. */
export const newAppSecret = (): string => randomBytes(16).toString('hex');
/** A random appid like WeChat's mini program ids: `wx` + 16 hex. */
export const newAppid = (): string => 'wx' + randomBytes(8).toString('hex');
