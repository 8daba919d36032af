// The App's webhook deliveries, newest first, back to `since`: GitHub pages this list with a
// cursor (`Link: <…?cursor=v1_…>; rel="next"`), not page numbers
// (https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook). Each item is one
// attempt; a redelivery is another attempt with the same guid.
import type { Octokit } from 'octokit';
import { withGitHubErrors } from './github-error.ts';

export interface HookDeliveryAttempt {
  id: number;
  guid: string;
  deliveredAt: Date;
  redelivery: boolean;
  /** The receiver's status; 0 when it did not answer. */
  statusCode: number;
  event: string;
  action: string | null;
  installationId: number | null;
  repositoryId: number | null;
}

const perPage = 100;

export async function listHookDeliveries(appOctokit: Octokit, input: { since: Date; maxPages?: number }): Promise<{ attempts: HookDeliveryAttempt[]; requests: number }> {
  const attempts: HookDeliveryAttempt[] = [];
  let cursor: string | undefined;
  let requests = 0;
  for (let page = 0; page < (input.maxPages ?? 100); page++) {
    const response = await withGitHubErrors('listing the App’s webhook deliveries', () =>
      appOctokit.request('GET /app/hook/deliveries', { per_page: perPage, ...(cursor ? { cursor } : {}) }),
    );
    requests += 1;
    let older = false;
    for (const d of response.data as Array<Record<string, unknown>>) {
      const deliveredAt = new Date(String(d.delivered_at));
      if (deliveredAt < input.since) {
        older = true;
        continue;
      }
      attempts.push({
        id: Number(d.id),
        guid: String(d.guid),
        deliveredAt,
        redelivery: d.redelivery === true,
        statusCode: Number(d.status_code ?? 0),
        event: String(d.event),
        action: typeof d.action === 'string' ? d.action : null,
        installationId: typeof d.installation_id === 'number' ? d.installation_id : null,
        repositoryId: typeof d.repository_id === 'number' ? d.repository_id : null,
      });
    }
    cursor = nextCursor(response.headers.link);
    if (older || !cursor) break;
  }
  return { attempts, requests };
}

function nextCursor(link: string | undefined): string | undefined {
  const next = link?.split(',').find((part) => /rel="next"/.test(part));
  const target = next && /<([^>]+)>/.exec(next)?.[1];
  return target ? new URL(target).searchParams.get('cursor') ?? undefined : undefined;
}

/** Asks GitHub to send a delivery again (202; 422 when it cannot, e.g. too old; 404 when unknown). */
export async function redeliverHookDelivery(appOctokit: Octokit, attemptId: number): Promise<void> {
  await withGitHubErrors(`redelivering webhook delivery ${attemptId}`, () =>
    appOctokit.request('POST /app/hook/deliveries/{delivery_id}/attempts', { delivery_id: attemptId }),
  );
}
