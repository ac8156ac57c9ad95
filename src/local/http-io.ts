import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request bodies larger than this are cut off: no traffic API body comes close. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads a request body as UTF-8 text (at most {@link MAX_BODY_BYTES}; the rest is discarded). */
export async function readBodyText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `undefined` for an empty body; the text itself when it is not JSON. */
export function parseJsonOrText(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Answers with a JSON body and the given status and extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text).toString(),
    ...headers,
  });
  res.end(text);
}
