// The delivery the ingest benches send: a push payload padded with realistic commit entries to
// about 7 KB, as GitHub sends them (bench/ingest.bench.ts, bench/spool-load.bench.ts).
import { pushPayload } from '../test/harness/payloads.ts';

export function push7kb(): ReturnType<typeof pushPayload> {
  const commits = Array.from({ length: 14 }, (_, i) => ({
    id: `${i}`.repeat(40).slice(0, 40),
    message: `Change ${i}: tune the service's memory and the worker's queue settings`,
    modified: ['paas.yaml', `src/handlers/h${i}.ts`, `src/lib/util${i}.ts`],
    added: [`docs/notes-${i}.md`],
  }));
  return pushPayload({ repo: { fullName: 'acme/api' }, installationId: 1, before: 'b'.repeat(40), after: 'a'.repeat(40), commits });
}
