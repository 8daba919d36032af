/**
 * Synthesis met something that cannot happen with a config the loader accepted, or produced a
 * document that does not hold together. A bug in Slipway, never the user's fault; `details`
 * lists each problem.
 */
export class SynthError extends Error {
  readonly code = 'SYNTH_INTERNAL';
  readonly details: string[];

  constructor(message: string, details: string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SynthError';
    this.details = details;
  }
}
