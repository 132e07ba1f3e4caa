// Parses the multipart/form-data body wx-server-sdk sends for `wx.openApi` (cloud-call.md §2,
// "Form fields"). The body is already fully buffered (bridge.ts), so this is a pure function.
import busboy from 'busboy';

/** One form part. Text parts keep their exact bytes too: the signature hashes them (§4 step 2). */
export type FormPart =
  | { name: string; kind: 'text'; value: string }
  /** busboy treats `Content-Type: application/octet-stream` (or a filename) as a file; the SDK sends `requestData` so. */
  | { name: string; kind: 'file'; value: Buffer; filename: string | undefined; mimeType: string };

export interface MultipartLimits {
  parts?: number;
  fieldSize?: number;
  fileSize?: number;
}

export class MultipartError extends Error {
  override name = 'MultipartError' as const;
}

/**
 * Splits a buffered multipart body into its parts, in order. Rejects with MultipartError on a
 * malformed body or a part over the limits (a truncated part would silently fail the signature).
 */
export function parseMultipart(body: Buffer, contentType: string, limits: MultipartLimits = {}): Promise<FormPart[]> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // latin1 keeps every byte of a text part, decoded to UTF-8 below (busboy would otherwise
      // decode with replacement characters, which could make two bodies hash alike).
      bb = busboy({
        headers: { 'content-type': contentType },
        defCharset: 'latin1',
        limits: { parts: limits.parts ?? 32, fieldSize: limits.fieldSize ?? 1 << 20, fileSize: limits.fileSize ?? 10 << 20 },
      });
    } catch (err) {
      reject(new MultipartError(err instanceof Error ? err.message : String(err)));
      return;
    }
    const parts: FormPart[] = [];
    const pending: Promise<void>[] = [];
    let failure: MultipartError | undefined;
    const fail = (message: string): void => {
      failure ??= new MultipartError(message);
    };
    bb.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) return fail(`form field ${name} too large`);
      parts.push({ name, kind: 'text', value: Buffer.from(value, 'latin1').toString('utf8') });
    });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      const index = parts.length;
      parts.push({ name, kind: 'file', value: Buffer.alloc(0), filename: info.filename, mimeType: info.mimeType });
      pending.push(
        new Promise<void>((done) => {
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('limit', () => fail(`form file ${name} too large`));
          stream.on('close', () => {
            const part = parts[index];
            if (part?.kind === 'file') part.value = Buffer.concat(chunks);
            done();
          });
        }),
      );
    });
    bb.on('partsLimit', () => fail('too many form parts'));
    bb.on('error', (err: unknown) => reject(new MultipartError(err instanceof Error ? err.message : String(err))));
    bb.on('close', () => {
      void Promise.all(pending).then(() => (failure ? reject(failure) : resolve(parts)));
    });
    bb.end(body);
  });
}
