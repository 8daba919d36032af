export { createGitCache, type GitCache, type GitCacheOptions, type FetchCommitInput, type ReadFilesInput } from './git-cache.ts';
export { GitError, type GitErrorCode } from './git-error.ts';
export { claimCacheDir } from './claim-cache-dir.ts';
export { commentableRanges, withinOneRange, type LineRange } from './commentable-ranges.ts';
