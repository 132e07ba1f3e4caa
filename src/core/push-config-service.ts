import { nowSeconds, type Clock } from './clock.ts';
import type { PushConfigRecord, PushFormat, PushMode, Store } from '../storage/types.ts';

export interface PushSettings {
  url: string;
  token: string;
  encodingAesKey?: string | undefined;
  mode?: PushMode | undefined;
  format?: PushFormat | undefined;
}

export class PushConfigError extends Error {
  override name = 'PushConfigError' as const;
}

const MODES: readonly PushMode[] = ['plain', 'compatible', 'secure'];
const FORMATS: readonly PushFormat[] = ['xml', 'json'];

/**
 * An app's message-push settings, validated as WeChat's settings page does
 * (events.md §1.1): Token 3–32 letters/digits, EncodingAESKey exactly 43 of
 * [a-zA-Z0-9] (required unless plain). Unlike WeChat, any URL is allowed,
 * including localhost and any port.
 */
export class PushConfigService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async set(appid: string, s: PushSettings): Promise<PushConfigRecord> {
    if (!(await this.store.apps.get(appid))) throw new PushConfigError(`no app ${appid}`);
    const record: PushConfigRecord = { appid, ...checkPushSettings(s), updated_at: nowSeconds(this.clock) };
    await this.store.pushConfigs.put(record);
    return record;
  }

  get(appid: string) {
    return this.store.pushConfigs.get(appid);
  }
}

/** The checks of WeChat's settings page (see PushConfigService); also used for registered carriers' push endpoints. */
export function checkPushSettings(s: PushSettings): Pick<PushConfigRecord, 'url' | 'token' | 'encoding_aes_key' | 'mode' | 'format'> {
  let url: URL;
  try {
    url = new URL(s.url);
  } catch {
    throw new PushConfigError(`URL ${s.url} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PushConfigError('URL must be http:// or https://');
  if (!/^[A-Za-z0-9]{3,32}$/.test(s.token)) throw new PushConfigError('Token must be 3-32 letters or digits');
  const mode = s.mode ?? 'plain';
  const format = s.format ?? 'xml';
  if (!MODES.includes(mode)) throw new PushConfigError(`mode must be one of ${MODES.join(', ')}`);
  if (!FORMATS.includes(format)) throw new PushConfigError(`format must be one of ${FORMATS.join(', ')}`);
  const key = s.encodingAesKey ?? '';
  if (key !== '' && !/^[A-Za-z0-9]{43}$/.test(key)) throw new PushConfigError('EncodingAESKey must be 43 characters of [a-zA-Z0-9]');
  if (mode !== 'plain' && key === '') throw new PushConfigError(`${mode} mode needs an EncodingAESKey`);
  return { url: url.href, token: s.token, encoding_aes_key: key, mode, format };
}
