/**
 * One line of Terraform's machine-readable output (`plan -json`, `apply -json`: one JSON object
 * per line, https://developer.hashicorp.com/terraform/internals/machine-readable-ui) into what the
 * runner uses: the human message for the log, diagnostics with the resource address they are
 * about, the address of a resource whose apply errored, and the outputs after an apply. Anything
 * that is not such a line (Terraform's crash output, a provider's stray print) is plain text.
 */
import type { DeploymentOutputs } from '../store/schema.ts';

export type UiDiagnostic = { severity: 'error' | 'warning'; summary: string; detail?: string; address?: string };

export type UiLine = {
  /** What a person reads in the log. */
  text: string;
  diagnostic?: UiDiagnostic;
  /** `apply_errored`: the resource whose change failed. */
  erroredAddress?: string;
  outputs?: DeploymentOutputs;
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function readUiLine(line: string): UiLine {
  if (!line.startsWith('{')) return { text: line };
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return { text: line };
  }
  if (!isRecord(msg) || typeof msg['@message'] !== 'string') return { text: line };
  const out: UiLine = { text: msg['@message'] };
  if (msg.type === 'diagnostic' && isRecord(msg.diagnostic)) {
    const d = msg.diagnostic;
    const diagnostic: UiDiagnostic = { severity: d.severity === 'warning' ? 'warning' : 'error', summary: text(d.summary) ?? out.text };
    const detail = text(d.detail);
    const address = text(d.address);
    if (detail) diagnostic.detail = detail;
    if (address) diagnostic.address = address;
    out.diagnostic = diagnostic;
    if (detail) out.text += `\n  ${detail.trimEnd().replaceAll('\n', '\n  ')}`;
  } else if (msg.type === 'apply_errored' && isRecord(msg.hook) && isRecord(msg.hook.resource)) {
    const address = text(msg.hook.resource.addr);
    if (address) out.erroredAddress = address;
  } else if (msg.type === 'outputs' && isRecord(msg.outputs)) {
    const outputs: DeploymentOutputs = {};
    for (const [name, raw] of Object.entries(msg.outputs)) {
      if (!isRecord(raw)) continue;
      // Terraform leaves sensitive values out of this message; only the name is kept.
      outputs[name] = raw.sensitive === true ? { sensitive: true } : { sensitive: false, value: raw.value };
    }
    out.outputs = outputs;
  }
  return out;
}
