/**
 * The plan model: what would change, per Terraform resource address. Built either by diffing two
 * Terraform JSON documents (`source: 'diff'`) or from `terraform show -json` (`source: 'terraform'`).
 * Cost, policy and report all read this shape.
 */
export type Action = 'create' | 'update' | 'replace' | 'delete' | 'no-op' | 'read';

export type AttributeChange = {
  /** Dotted path inside the resource, e.g. `tags.env` or `ingress.0.cidr_blocks`. */
  path: string;
  before: unknown;
  after: unknown;
  /** When true, before/after must never be shown; render `(sensitive)`. */
  sensitive: boolean;
  /** The new value is only known after apply. */
  unknownAfter?: boolean;
  /** This attribute forces the resource to be replaced. */
  forcesReplacement?: boolean;
};

export type ResourceChange = {
  /** Terraform address, e.g. `aws_ecs_service.web_service_1A2B3C` or `module.x.aws_s3_bucket.b`. */
  address: string;
  type: string;
  name: string;
  mode: 'managed' | 'data';
  module?: string;
  action: Action;
  /** True when `replace` was inferred from our force-new table rather than reported by Terraform. */
  replaceInferred?: boolean;
  /** Terraform's action_reason, or our own explanation. */
  reason?: string;
  /** The `paas.yaml` service or resource this belongs to, when known. */
  component?: string;
  changes: AttributeChange[];
  /** Full attribute objects (sensitive values already redacted by the builder). */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
};

export type Plan = {
  source: 'diff' | 'terraform';
  resources: ResourceChange[];
  /** Count of resources per action. */
  summary: Record<Action, number>;
};
