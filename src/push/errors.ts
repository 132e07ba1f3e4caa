// Typed errors of the push signer (STYLE.md §3: errors are data).

export type PushErrorCode =
  | 'invalidEncodingAesKey' // not 43 chars of [a-zA-Z0-9] (events.md §1.1)
  | 'invalidCiphertext' // not base64 of a whole number of AES blocks
  | 'invalidPadding' // PKCS#7/32 padding byte out of 1…32 or inconsistent (§1.4)
  | 'invalidLength' // the 4-byte msg_len points past the plaintext (§1.4)
  | 'appidMismatch' // trailing appid differs from the receiver's (§1.4 "Decrypt check")
  | 'invalidPushOptions'; // e.g. secure mode without an EncodingAESKey

/** Thrown by src/push when a key, ciphertext or push configuration breaks events.md §1. */
export class PushError extends Error {
  override name = 'PushError' as const;
  constructor(
    readonly code: PushErrorCode,
    message: string,
  ) {
    super(message);
  }
}
