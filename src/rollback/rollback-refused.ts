/** Why a rollback cannot be done: a person's mistake (or a state of things), said plainly; never a crash. */
export type RollbackRefusalCode = 'no_environment' | 'ambiguous_app' | 'not_found' | 'other_app' | 'not_succeeded' | 'pruned' | 'nothing_live' | 'no_earlier' | 'already_live' | 'not_live';

export class RollbackRefused extends Error {
  constructor(
    readonly code: RollbackRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'RollbackRefused';
  }
}
