/**
 * `size:` of a postgres or redis resource → the instance class AWS bills for. Cost reads the
 * instance class from the Terraform JSON, so these maps are the one place a size is decided.
 */
import type { z } from 'zod';
import type { DbSize } from '../src/config/schema.ts';

export type DbSizeName = z.infer<typeof DbSize>;

export const postgresInstanceClass: Readonly<Record<DbSizeName, string>> = {
  micro: 'db.t4g.micro',
  small: 'db.t4g.small',
  medium: 'db.t4g.medium',
  large: 'db.m7g.large',
  xlarge: 'db.m7g.xlarge',
};

export const redisNodeType: Readonly<Record<DbSizeName, string>> = {
  micro: 'cache.t4g.micro',
  small: 'cache.t4g.small',
  medium: 'cache.t4g.medium',
  large: 'cache.m7g.large',
  xlarge: 'cache.m7g.xlarge',
};
