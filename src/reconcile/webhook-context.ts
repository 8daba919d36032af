/** What every webhook job handler gets: the deps and the stored delivery it works on. */
import type { Deps } from '../deps.ts';

export type Delivery = {
  id: string;
  event: string;
  action: string | null;
  /** As stored; handlers get it parsed (parse-event.ts). */
  payload: Record<string, unknown>;
};

export type WebhookContext = { deps: Deps; delivery: Delivery; signal: AbortSignal };

/** A job handler's answer: what became of the delivery, stored as its outcome. */
export type Outcome = string;

/** A delivery that can never succeed (unknown installation, repository not allowed): not retried. */
export class PermanentSkip extends Error {
  constructor(readonly outcome: string) {
    super(outcome);
    this.name = 'PermanentSkip';
  }
}
