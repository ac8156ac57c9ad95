/** The HTTP plumbing every local simulator shares: reading bodies, answering JSON, starting and stopping. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Request bodies larger than this are cut off: no traffic API body comes close. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A request body, and whether it was longer than the limit (the rest was read and discarded). */
export interface BodyBytes {
  bytes: Buffer;
  truncated: boolean;
}

/**
 * Reads a request body, keeping at most `maxBytes` (default {@link MAX_BODY_BYTES}). The rest is read
 * and discarded rather than left unread, so the connection can still carry the answer.
 */
export async function readBodyBytes(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<BodyBytes> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= maxBytes) chunks.push(buffer);
  }
  return { bytes: Buffer.concat(chunks), truncated: size > maxBytes };
}

/** Reads a request body as UTF-8 text (at most {@link MAX_BODY_BYTES}; the rest is discarded). */
export async function readBodyText(req: IncomingMessage): Promise<string> {
  return (await readBodyBytes(req)).bytes.toString('utf8');
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

/** Where a started server listens: its port and `http://host:port` (IPv6 hosts in brackets). */
export interface Listening {
  port: number;
  endpoint: string;
}

/** Starts `server` on `port` (0: any free one) and `host`; rejects when it cannot listen there. */
export async function listen(server: Server, port: number, host: string): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { port: address.port, endpoint: `http://${hostPart}:${address.port}` };
}

/** Stops `server`, closing open connections too: hung requests and pooled keep-alive sockets would otherwise hold it open. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
