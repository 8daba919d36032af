/**
 * What every construct of one app stack shares: who it is (app, environment, region), how to
 * reach the platform, and the outputs of the components already built, which `env:` entries
 * (`{ from: db.url }`) and IAM grants are resolved against.
 */
import type { PlatformRefs } from './platform-refs.ts';
import { partitionOf } from './naming.ts';

/** One IAM policy statement, as it goes into a policy document. */
export type PolicyStatement = {
  Effect: 'Allow' | 'Deny';
  Principal?: string | Record<string, string>;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, unknown>;
};

/** A value a component offers to `env:`: a plain value, or a secret injected by reference. */
export type ComponentOutput =
  | { kind: 'value'; value: string }
  | { kind: 'secret'; valueFrom: string; read: PolicyStatement };

export type ComponentRef = {
  name: string;
  type: string;
  outputs: Record<string, ComponentOutput>;
  /** What a service that references this component in `env:` may do with it. */
  access?: PolicyStatement[];
  /** The security group a service must be allowed through to reach it (postgres, redis). */
  securityGroupId?: string;
  arn?: string;
};

export type AppContext = {
  app: string;
  environment: string;
  production: boolean;
  region: string;
  partition: string;
  sha: string;
  artifactBucket: string;
  /** Base domain for web services that declare no `domains:`: `<service>.<app>.<env>.<base>`. */
  baseDomain: string;
  platform: PlatformRefs;
  components: Map<string, ComponentRef>;
  /** Listener rule priorities of the stack's web services, `<component>#<index>` (web-hosts.ts). */
  listenerPriorities: Map<string, number>;
};

export function newAppContext(fields: Omit<AppContext, 'partition' | 'components' | 'production' | 'listenerPriorities'>): AppContext {
  return {
    ...fields,
    production: fields.environment === 'production',
    partition: partitionOf(fields.region),
    components: new Map(),
    listenerPriorities: new Map(),
  };
}

/** `slipway:component` on every taggable resource of a component; the rest comes from default_tags. */
export function componentTags(component: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, 'slipway:component': component };
}

/** An IAM policy document as a JSON string (ARN tokens inside resolve to Terraform interpolations). */
export function policyDocument(statements: PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export function assumeRolePolicy(service: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
}
