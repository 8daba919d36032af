/**
 * The store could not take a delivery (database down, pool exhausted). Answered with 503 and
 * `Retry-After`: the request was fine, GitHub will redeliver it (or an operator can from the App's
 * "Recent deliveries" page), and nothing was acknowledged that is not stored.
 */
export class ServiceUnavailableError extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ServiceUnavailableError';
    this.retryAfterSeconds = options.retryAfterSeconds ?? 30;
  }
}
