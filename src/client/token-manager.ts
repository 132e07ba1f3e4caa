import { WxApiError } from './errors.ts';
import { parseJsonAnswer, type HttpClient } from './http-client.ts';

export interface TokenManagerOptions {
  appid: string;
  secret: string;
  baseUrl: string;
  http: HttpClient;
  /** `token`: GET /cgi-bin/token (each fetch supersedes the last); `stable`: POST /cgi-bin/stable_token. */
  endpoint: 'token' | 'stable';
  /** Fetch a new token this long before the current one expires (WeChat's overlap is 300 s). */
  refreshBeforeExpirySeconds: number;
  now: () => number;
}

interface CachedToken {
  value: string;
  /** Clock time (ms) after which the token is refreshed before use. */
  refreshAtMs: number;
}

interface Entry {
  promise: Promise<CachedToken>;
  settled?: CachedToken;
}

/**
 * Holds the app's access token. Every caller shares one in-flight fetch, so any
 * number of concurrent calls cost one token request; a token is replaced
 * shortly before it expires, or when a call reports it stale (`invalidate`).
 */
export class TokenManager {
  #entry: Entry | undefined;

  constructor(private readonly options: TokenManagerOptions) {}

  /** The current token, fetching one first if there is none or it is about to expire. */
  async get(): Promise<string> {
    const entry = this.#entry;
    const usable = entry && (!entry.settled || this.options.now() < entry.settled.refreshAtMs);
    return (await (usable ? entry.promise : this.#refresh())).value;
  }

  /**
   * Forgets `staleToken` after WeChat refused it (40001/42001). A no-op when a
   * newer token is already cached or being fetched: of many calls refused at
   * once, only the first causes a fetch.
   */
  invalidate(staleToken: string): void {
    if (this.#entry?.settled?.value === staleToken) this.#entry = undefined;
  }

  #refresh(): Promise<CachedToken> {
    const entry: Entry = { promise: this.#fetch() };
    this.#entry = entry;
    entry.promise.then(
      (token) => (entry.settled = token),
      () => {
        if (this.#entry === entry) this.#entry = undefined; // the next call tries again
      },
    );
    return entry.promise;
  }

  async #fetch(): Promise<CachedToken> {
    const { appid, secret, baseUrl, http, endpoint } = this.options;
    const startedMs = this.options.now();
    const response =
      endpoint === 'stable'
        ? await http.request({
            method: 'POST',
            url: `${baseUrl}/cgi-bin/stable_token`,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ grant_type: 'client_credential', appid, secret, force_refresh: false }),
          })
        : await http.request({
            method: 'GET',
            url: `${baseUrl}/cgi-bin/token?${new URLSearchParams({ grant_type: 'client_credential', appid, secret })}`,
            headers: {},
          });
    const json = parseJsonAnswer(response, `/cgi-bin/${endpoint === 'stable' ? 'stable_token' : 'token'}`);
    if (json.errcode || typeof json.access_token !== 'string') throw new WxApiError(json);
    const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : 7200;
    // Keep a short-lived token for half its life rather than refreshing on every call.
    const lifetime =
      expiresIn > 2 * this.options.refreshBeforeExpirySeconds ? expiresIn - this.options.refreshBeforeExpirySeconds : expiresIn / 2;
    return { value: json.access_token, refreshAtMs: startedMs + lifetime * 1000 };
  }
}
