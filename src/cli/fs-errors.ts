/** A file-system error in words: `no such file`, `permission denied`, else the code. */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'it is a directory'
  if (code === 'ENOTDIR') return 'a parent is not a directory'
  if (typeof code === 'string') return code
  return error instanceof Error ? error.message : String(error)
}
