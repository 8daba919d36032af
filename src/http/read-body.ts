/**
 * Read a request body into memory, refusing it as soon as it is known to be too large: from
 * `Content-Length` before reading anything, otherwise while streaming (chunked uploads), so an
 * oversized body is never buffered whole.
 *
 * Given Hono's request (`c.req`), a body with a declared length is read through the adapter's fast
 * path: on Node, touching `c.req.raw` materialises a full WHATWG Request (an AbortSignal, header
 * copies), which costs more than verifying the signature. The declared length is enforced by the
 * HTTP parser (the body cannot be longer), so reading it whole is safe.
 */
import type { HonoRequest } from 'hono';
import { HTTPException } from 'hono/http-exception';

export async function readBody(request: Request | HonoRequest, maxBytes: number): Promise<Uint8Array> {
  const hono = 'raw' in request ? request : undefined;
  const header = (name: string) => (hono ? hono.header(name) : (request as Request).headers.get(name)) ?? undefined;
  const declared = header('content-length');
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (hono && declared !== undefined && header('transfer-encoding') === undefined) {
    return new Uint8Array(await hono.arrayBuffer());
  }
  const raw = hono ? hono.raw : (request as Request);
  if (!raw.body) return new Uint8Array(0);
  const reader = raw.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(maxBytes: number): HTTPException {
  return new HTTPException(413, { message: `body larger than ${Math.round(maxBytes / 1024 / 1024)} MB` });
}
