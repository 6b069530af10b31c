import { createGuard, formatMessage } from '../errors.js'
import type { ErrorInfo } from './admin-api-types.js'

/**
 * The fake Admin API refused a call, as IDaaS would: `status` is the HTTP status and `errorInfo`
 * the `ErrorInfo` body the Admin API handlers send. Not a `KitError`: the call was wrong, not the kit.
 */
export class TenantApiError extends Error {
  override name = 'TenantApiError' as const
  /** The HTTP status: 400, 401 or 404 (A11 for the 21st active webhook). */
  readonly status: number
  /** The `ErrorInfo` body. */
  readonly errorInfo: ErrorInfo
  constructor(action: string, status: number, errorInfo: ErrorInfo) {
    super(
      formatMessage(
        `Failed to ${action}: ${errorInfo.errorMessage} (HTTP ${status}, errorCode "${errorInfo.errorCode}").`,
      ),
    )
    this.status = status
    this.errorInfo = errorInfo
  }
}

/** True for a {@link TenantApiError}, also across realms and copies of the kit. */
export const isTenantApiError = createGuard('TenantApiError', TenantApiError)

/** An `ErrorInfo` body. */
export function errorInfo(
  errorCode: string,
  errorMessage: string,
  parameters: Array<Record<string, unknown>> = [],
): ErrorInfo {
  return { errorCode, errorMessage, parameters }
}
