/** Metric input that cannot be read: the message names where (file, line) and what is wrong. */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
