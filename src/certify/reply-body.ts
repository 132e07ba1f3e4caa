// Reading a carrier's reply body as the certification judges it (events.md §3.0). Written from the
// spec, not shared with the server's own reply reader: the checker must notice what a lenient reader
// forgives (key casing, the XML root, a number sent as a string), so it keeps every detail.

/** How a field arrived: JSON's own type, or for XML bare text vs a CDATA section vs child elements. */
export type FieldKind = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array' | 'xml-text' | 'xml-cdata' | 'xml-element';

export type ReplyField = { key: string; value: string; kind: FieldKind };

export type ReplyBody = {
  format: 'xml' | 'json';
  /** The XML root element's name (`xml` per §3.0); undefined for JSON. */
  root?: string;
  /** Top-level fields in document order, keys exactly as sent. */
  fields: ReplyField[];
};

export class ReplyParseError extends Error {
  override name = 'ReplyParseError' as const;
}

/** Parse an XML or JSON reply (sniffed from the first non-blank character). @throws ReplyParseError */
export function parseReplyBody(text: string): ReplyBody {
  const start = text.trimStart();
  if (start.startsWith('<')) return parseXmlReply(start);
  if (start.startsWith('{')) return parseJsonReply(start);
  throw new ReplyParseError(start === '' ? 'empty body' : `neither XML nor a JSON object: ${JSON.stringify(start.slice(0, 40))}`);
}

function parseJsonReply(text: string): ReplyBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err: unknown) {
    throw new ReplyParseError(`invalid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ReplyParseError('JSON body is not an object');
  const fields = Object.entries(parsed as Record<string, unknown>).map(([key, v]): ReplyField => {
    if (v === null) return { key, value: '', kind: 'null' };
    if (Array.isArray(v)) return { key, value: JSON.stringify(v), kind: 'array' };
    if (typeof v === 'object') return { key, value: JSON.stringify(v), kind: 'object' };
    if (typeof v === 'number') return { key, value: String(v), kind: 'number' };
    if (typeof v === 'boolean') return { key, value: String(v), kind: 'boolean' };
    return { key, value: String(v), kind: 'string' };
  });
  return { format: 'json', fields };
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? whole;
  });
}

const NAME = /^[A-Za-z_][\w.-]*/;

/**
 * A small XML reader for one root element holding flat children, which is every §3 reply.
 * A child with element content is kept as `xml-element` with its raw inner text.
 */
function parseXmlReply(text: string): ReplyBody {
  let rest = text.replace(/^<\?xml[\s\S]*?\?>\s*/, '');
  const open = /^<([A-Za-z_][\w.-]*)(\s[^>]*)?>/.exec(rest);
  if (!open) throw new ReplyParseError('XML without a root element');
  const root = open[1]!;
  rest = rest.slice(open[0].length);
  const close = `</${root}>`;
  const end = rest.lastIndexOf(close);
  if (end < 0 || rest.slice(end + close.length).trim() !== '') throw new ReplyParseError(`root <${root}> is not closed`);
  let inner = rest.slice(0, end);
  const fields: ReplyField[] = [];
  for (;;) {
    inner = inner.replace(/^(\s|<!--[\s\S]*?-->)+/, '');
    if (inner === '') break;
    if (!inner.startsWith('<')) throw new ReplyParseError(`text outside an element: ${JSON.stringify(inner.slice(0, 30))}`);
    const name = NAME.exec(inner.slice(1))?.[0];
    if (name === undefined) throw new ReplyParseError(`bad element start: ${JSON.stringify(inner.slice(0, 30))}`);
    const tagEnd = inner.indexOf('>');
    if (tagEnd < 0) throw new ReplyParseError(`<${name}> is not closed`);
    if (inner[tagEnd - 1] === '/') {
      fields.push({ key: name, value: '', kind: 'xml-text' });
      inner = inner.slice(tagEnd + 1);
      continue;
    }
    const { content, after } = elementContent(inner.slice(tagEnd + 1), name);
    fields.push(readContent(name, content));
    inner = after;
  }
  return { format: 'xml', root, fields };
}

/** The content up to this element's matching close tag (CDATA may hold `<`; same-name nesting counted). */
function elementContent(s: string, name: string): { content: string; after: string } {
  let depth = 1;
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('<![CDATA[', i)) {
      const j = s.indexOf(']]>', i);
      if (j < 0) throw new ReplyParseError(`unterminated CDATA in <${name}>`);
      i = j + 3;
      continue;
    }
    if (s.startsWith(`</${name}>`, i)) {
      depth -= 1;
      if (depth === 0) return { content: s.slice(0, i), after: s.slice(i + name.length + 3) };
      i += name.length + 3;
      continue;
    }
    if (s.startsWith(`<${name}>`, i)) depth += 1;
    i += 1;
  }
  throw new ReplyParseError(`<${name}> is not closed`);
}

function readContent(key: string, content: string): ReplyField {
  const trimmed = content.trim();
  if (trimmed.startsWith('<![CDATA[')) {
    const parts = [...trimmed.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((m) => m[1]);
    return { key, value: parts.join(''), kind: 'xml-cdata' };
  }
  if (/<[A-Za-z_]/.test(content)) return { key, value: content, kind: 'xml-element' };
  return { key, value: decodeEntities(content), kind: 'xml-text' };
}

/** The field whose key equals `name` ignoring case (events.md §3.0 matches Event that way). */
export function findField(body: ReplyBody, name: string): ReplyField | undefined {
  const lower = name.toLowerCase();
  return body.fields.find((f) => f.key === name) ?? body.fields.find((f) => f.key.toLowerCase() === lower);
}
