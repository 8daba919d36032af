// isomorphic-git's HTTP client on Node's fetch, with a deadline: the stock node client has no
// timeout, and a git server that stops answering would hold the repository's lock for ever.
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';

export function createFetchHttpClient(options: { timeoutMs?: number } = {}): HttpClient {
  const timeoutMs = options.timeoutMs ?? 5 * 60 * 1000;
  return {
    async request(request: GitHttpRequest): Promise<GitHttpResponse> {
      let body: Buffer | undefined;
      if (request.body) {
        const chunks: Uint8Array[] = [];
        for await (const chunk of request.body as AsyncIterable<Uint8Array>) chunks.push(chunk);
        body = Buffer.concat(chunks);
      }
      const signal = AbortSignal.timeout(timeoutMs);
      const response = await fetch(request.url, {
        method: request.method ?? 'GET',
        headers: request.headers ?? {},
        ...(body ? { body } : {}),
        signal,
        redirect: 'follow',
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        headers[key] = value;
      });
      return {
        url: response.url,
        method: request.method ?? 'GET',
        statusCode: response.status,
        statusMessage: response.statusText,
        headers,
        body: iterate(response.body),
      };
    },
  };
}

async function* iterate(stream: ReadableStream<Uint8Array> | null): AsyncIterableIterator<Uint8Array> {
  if (!stream) return;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) yield chunk;
}
