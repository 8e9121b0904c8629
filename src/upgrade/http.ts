// One GET over http(s) with an optional CA bundle: node's own client, since
// Node 20's fetch takes no CA per request. The response body is read whole
// (Argo CD's application list), up to a limit.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * A request that got no whole answer: refused, reset, no answer in time, a TLS
 * handshake that failed (its `code` is node's: ECONNREFUSED,
 * DEPTH_ZERO_SELF_SIGNED_CERT, …). What a caller may ask again; a request that
 * could not even be made (a header node refuses) is not one.
 */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly code?: string;
  constructor(cause: Error) {
    super(cause.message || ((cause as NodeJS.ErrnoException).code ?? cause.name), { cause });
    this.code = (cause as NodeJS.ErrnoException).code;
  }
}

/** One GET, answered whole within `timeoutMs` (the whole exchange: an answer trickling in a byte at a time is no answer either). */
export function httpGet(url: URL, options: { headers?: Record<string, string>; ca?: string; timeoutMs: number }): Promise<HttpResponse> {
  let deadline: NodeJS.Timeout | undefined;
  return new Promise<HttpResponse>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'GET', headers: options.headers, ...(options.ca === undefined ? {} : { ca: options.ca }) },
      (response) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_BODY_BYTES) request.destroy(new Error(`the answer is over ${MAX_BODY_BYTES / 1024 / 1024} MiB`));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => reject(new NetworkError(error)));
      },
    );
    deadline = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
    request.on('error', (error) => reject(new NetworkError(error)));
    request.end();
  }).finally(() => clearTimeout(deadline));
}
