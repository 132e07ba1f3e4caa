import { LRUCache } from 'lru-cache';
import { nowSeconds, type Clock } from './clock.ts';
import { WxError } from './errors.ts';
import {
  FORCE_REFRESH_MIN_GAP_SECONDS,
  FORCE_REFRESH_PER_DAY,
  newAccessToken,
  shanghaiDay,
  STABLE_ROTATE_BEFORE_SECONDS,
  TOKEN_OVERLAP_SECONDS,
  TOKEN_TTL_SECONDS,
  tokenHash,
  looksLikeToken,
  verifySecret,
  type TokenKind,
} from './tokens.ts';
import type { Repositories, Store, TokenRecord } from '../storage/types.ts';

const LOOKUP_TTL_MS = 1000;

export interface TokenAnswer {
  access_token: string;
  expires_in: number;
}

export interface Credentials {
  grant_type?: unknown;
  appid?: unknown;
  secret?: unknown;
}

/**
 * Access tokens, house rule 12: `/cgi-bin/token` issues a new token on every call
 * and the previous one keeps working for 5 minutes; `stable_token` is a separate
 * series that returns the current token until 5 minutes before expiry.
 */
export class TokenService {
  // Verified (appid, secret) pairs, so the slow hash is paid once per secret, not per call.
  readonly #verified = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** GET /cgi-bin/token */
  async getAccessToken(c: Credentials): Promise<TokenAnswer> {
    const appid = await this.#checkCredentials(c);
    return this.store.transaction(async (tx) => {
      await tx.apps.lock(appid);
      return this.#issue(tx, appid, 'token', nowSeconds(this.clock));
    });
  }

  /** POST /cgi-bin/stable_token */
  async getStableAccessToken(c: Credentials & { force_refresh?: unknown }): Promise<TokenAnswer> {
    const appid = await this.#checkCredentials(c);
    const force = c.force_refresh === true;
    return this.store.transaction(async (tx) => {
      await tx.apps.lock(appid);
      const now = nowSeconds(this.clock);
      const current = (await tx.tokens.listLive(appid, 'stable', now)).find((t) => t.revoke_at === null);
      if (force) {
        const day = shanghaiDay(now);
        const st = await tx.tokens.getForceRefresh(appid);
        const sameDay = st?.day === day;
        const count = sameDay ? st.count : 0;
        if (count >= FORCE_REFRESH_PER_DAY) throw new WxError('dailyQuotaReached', 'force_refresh is limited to 20 calls a day');
        const tooSoon = sameDay && now - st.last_at < FORCE_REFRESH_MIN_GAP_SECONDS;
        await tx.tokens.setForceRefresh(appid, { day, count: count + 1, last_at: tooSoon ? st.last_at : now });
        // Consecutive forced calls less than 30 s apart do not refresh (auth-and-errors.md §2).
        if (!tooSoon || !current) return this.#issue(tx, appid, 'stable', now);
        return { access_token: await this.#tokenText(current), expires_in: current.expires_at - now };
      }
      if (current && current.expires_at - now >= STABLE_ROTATE_BEFORE_SECONDS) {
        return { access_token: await this.#tokenText(current), expires_in: current.expires_at - now };
      }
      return this.#issue(tx, appid, 'stable', now);
    });
  }

  /** Checks an appid and its secret as the token endpoints do (41002, 41004, 40013, 40125). */
  async checkAppSecret(appid: unknown, secret: unknown): Promise<string> {
    return this.#checkCredentials({ grant_type: 'client_credential', appid, secret });
  }

  /** The app an access token belongs to, or the 40001/42001 it earns. */
  async authenticate(token: string): Promise<string> {
    return this.authenticateKnown(token) ?? this.#check(await this.#lookup(token));
  }

  /**
   * authenticate without waiting, when the token's record was looked up in the
   * last second (the hot path of a busy API): its appid, or its WxError thrown;
   * undefined when the record must be read first (call authenticate).
   */
  authenticateKnown(token: string): string | undefined {
    const hit = this.#recent.get(token);
    return hit && Date.now() - hit.at < LOOKUP_TTL_MS ? this.#check(hit.rec) : undefined;
  }

  #check(rec: TokenRecord | undefined): string {
    if (!rec) throw new WxError('invalidCredential', 'access_token was never issued by this server');
    const now = nowSeconds(this.clock);
    if (rec.revoke_at !== null && rec.revoke_at <= now && rec.revoke_at < rec.expires_at) {
      throw new WxError('invalidCredential', 'access_token was superseded by a newer one more than 5 minutes ago');
    }
    if (rec.expires_at <= now) throw new WxError('accessTokenExpired', 'access_token is older than 7200 s');
    return rec.appid;
  }

  // Token records seen in the last second, so a busy API does not read the token
  // table on every call. Expiry and revocation are still judged against the clock
  // on every call; a revocation by another instance is seen within LOOKUP_TTL_MS.
  readonly #recent = new LRUCache<string, { rec: TokenRecord | undefined; at: number }>({ max: 10_000 });

  /**
   * Forgets looked-up token records (the token table was put back by a reset).
   * Verified secrets are kept: each is checked against the app's stored hash on
   * every call, and a re-created app has a new salt, hence a new hash.
   */
  forgetLookups(): void {
    this.#recent.clear();
  }

  async #lookup(token: string): Promise<TokenRecord | undefined> {
    const hit = this.#recent.get(token);
    if (hit && Date.now() - hit.at < LOOKUP_TTL_MS) return hit.rec;
    if (!looksLikeToken(token)) throw new WxError('invalidCredential', 'access_token is malformed');
    const rec = await this.store.tokens.get(tokenHash(token));
    // Unknown tokens are not remembered: a token issued by another instance a moment ago must work.
    if (rec) this.#recent.set(token, { rec, at: Date.now() });
    return rec;
  }

  async #checkCredentials(c: Credentials): Promise<string> {
    if (c.grant_type !== 'client_credential') throw new WxError('invalidGrantType', 'grant_type must be client_credential');
    if (typeof c.appid !== 'string' || c.appid === '') throw new WxError('appidMissing');
    if (typeof c.secret !== 'string' || c.secret === '') throw new WxError('appsecretMissing');
    const app = await this.store.apps.get(c.appid);
    if (!app) throw new WxError('invalidAppid', `no app ${c.appid} on this server`);
    if (this.#verified.get(c.appid + '\u0000' + c.secret) !== app.secret_hash) {
      if (!verifySecret(c.secret, app.secret_hash)) throw new WxError('invalidAppsecret');
      this.#verified.set(c.appid + '\u0000' + c.secret, app.secret_hash);
    }
    return app.appid;
  }

  async #tokenText(rec: TokenRecord): Promise<string> {
    if (rec.token_text === null) throw new Error(`stable token ${rec.token_hash} has no stored text`);
    return rec.token_text;
  }

  async #issue(tx: Repositories, appid: string, kind: TokenKind, now: number): Promise<TokenAnswer> {
    // The newest live token overlaps for 5 minutes; anything older stops now.
    const live = await tx.tokens.listLive(appid, kind, now);
    for (const [i, t] of live.entries()) {
      const cut = i === 0 && t.revoke_at === null ? Math.min(t.expires_at, now + TOKEN_OVERLAP_SECONDS) : now;
      if (t.revoke_at === null || t.revoke_at > cut) await tx.tokens.setRevokeAt(t.token_hash, cut);
    }
    // This instance's recent lookups must not outlive the revocations just written.
    this.#recent.clear();
    const access_token = newAccessToken();
    const rec: TokenRecord = {
      token_hash: tokenHash(access_token),
      appid,
      kind,
      issued_at: now,
      expires_at: now + TOKEN_TTL_SECONDS,
      revoke_at: null,
      // stable_token must answer the same text again (from any instance), so
      // its text is kept; /cgi-bin/token tokens are stored by hash only.
      token_text: kind === 'stable' ? access_token : null,
    };
    await tx.tokens.insert(rec);
    return { access_token, expires_in: TOKEN_TTL_SECONDS };
  }
}
