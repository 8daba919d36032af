/**
 * What a signed-in person may see and do. An API-token session is the operator: everything.
 * A GitHub user sees the repositories GitHub listed for them at sign-in (the App's installations,
 * through their user-to-server token), and may act (Apply, Rollback) where they can push.
 */
export type RepositoryPermission = 'read' | 'write';

export type Access = { kind: 'all' } | { kind: 'repositories'; repositories: Map<string, RepositoryPermission> };

export function canRead(access: Access, fullName: string): boolean {
  return access.kind === 'all' || access.repositories.has(fullName.toLowerCase());
}

export function canWrite(access: Access, fullName: string): boolean {
  return access.kind === 'all' || access.repositories.get(fullName.toLowerCase()) === 'write';
}

/** GitHub's `permissions` object of a repository listed for a user: push, maintain or admin is write. */
export function permissionFrom(permissions: { admin?: boolean; maintain?: boolean; push?: boolean } | undefined): RepositoryPermission {
  return permissions?.admin || permissions?.maintain || permissions?.push ? 'write' : 'read';
}
