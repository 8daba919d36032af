/**
 * Read a request body into memory, refusing it as soon as it is known to be too large: from
 * `Content-Length` before reading anything, otherwise while streaming (chunked uploads), so an
 * oversized body is never buffered whole.
 */
import { HTTPException } from 'hono/http-exception';

export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
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
