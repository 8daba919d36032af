/**
 * What a log line may carry besides its message: the ids it is about (never a payload, a body or a
 * token) and its level. Shared by the service's logger and every `log` taken as a dependency.
 */
export type LogFields = {
  level?: 'debug' | 'info' | 'warn' | 'error';
  delivery?: string;
  job?: number;
  kind?: string;
  deployment?: number;
  installation?: number;
  request?: string;
  [field: string]: unknown;
};
