/**
 * Metric samples the intake refuses, with where: the HTTP route answers `status` (400 for a bad
 * sample or field, 404 for a repository Slipway does not know) and the CLI prints the message.
 * `sample` names the series (its index in the request), the sample's index and the field.
 */
export type SamplePosition = { series: number; index: number; field: 'time' | 'value' };

export class IntakeError extends Error {
  readonly code: 'bad_sample' | 'bad_request' | 'unknown_repository';
  readonly sample?: SamplePosition;

  constructor(code: IntakeError['code'], message: string, sample?: SamplePosition) {
    super(message);
    this.name = 'IntakeError';
    this.code = code;
    this.sample = sample;
  }

  get status(): 400 | 404 {
    return this.code === 'unknown_repository' ? 404 : 400;
  }
}
