/** A set-up step that cannot go on, with the HTTP status to answer and a sentence for the person. */
export class SetupError extends Error {
  readonly status: 400 | 403 | 404 | 409 | 502;
  constructor(status: SetupError['status'], message: string) {
    super(message);
    this.name = 'SetupError';
    this.status = status;
  }
}
