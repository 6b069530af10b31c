/**
 * The Admin API's webhook shapes, with Entrust's names and descriptions
 * (the Admin API's OpenAPI document v5.46, https://docs.trustedauth.com/api/admin-api/).
 */
import type { EntrustEventType } from '../schema/event-types.js'

/** `WebhookEvent.type`: the 25 values of the Admin API enum. */
export type WebhookEventType = EntrustEventType

/** "Information returned about the events of a webhook." */
export interface WebhookEvent {
  /** "The event type set to trigger the webhook." */
  type: WebhookEventType
  /** "The ID of the webhook event. This value is not needed when creating/updating a webhook." */
  id?: string
  /**
   * "Subset of resource, or group IDs of the webhook event." A JSON document inside a string.
   * The fake tenant stores and returns it but does not filter by it.
   */
  filter?: string
}

/** "Parameters including the callback URL and list of events to trigger the webhook." Body of create and update. */
export interface WebhookParms {
  /** "Descriptive name for the webhook to help identify its purpose." */
  name: string
  /** "HTTPS endpoint URL where webhook event notifications will be sent. Must be a valid HTTPS URL." */
  callbackUrl: string
  /** "List of event types that will trigger this webhook." An empty list means every event. */
  events: WebhookEvent[]
  /** "Indicates whether the webhook is active and will receive event notifications." Not null. @default true */
  enabled?: boolean
  /** "How long to keep the webhook alive for (in days). Value of 0 means no expiration." 0–1000, not null. @default no expiration */
  expiry?: number
}

/** "Webhook configuration returned by the API." */
export interface Webhook {
  /** "Unique identifier for the webhook." e.g. `wh_1a2b3c4d5e6f7g8h` */
  id: string
  name: string
  callbackUrl: string
  /** False when disabled by an update, by auto-disable (A9) or by expiry. */
  enabled: boolean
  events: WebhookEvent[]
  /**
   * "Timestamp indicating when the webhook will automatically expire", UTC without a zone
   * (`2025-12-31T23:59:59`), as in Entrust's example. No expiration: absent, or `null` with the
   * tenant option `noExpiryDate: 'null'` ("Null indicates no expiration").
   */
  expiryDate?: string | null
  /** "Indicates whether the webhook has passed its expiry date and is no longer active." */
  expired: boolean
  /** "Secure authentication token used to verify webhook request authenticity." Only in the create response (A13). */
  token?: string
}

/** The create response: the only place the token appears ("The webhook token is shown only once, immediately after the webhook is created.", A13). */
export interface CreatedWebhook extends Webhook {
  token: string
}

/** "Webhook test request body." */
export interface WebhookTestParms {
  /** "Optional callback URL to use for this test request instead of the webhook's configured callback URL." */
  callbackUrl?: string
}

/** "Object containing information about errors reported by services." */
export interface ErrorInfo {
  /** "Error Codes specific to cause of failure." */
  errorCode: string
  /** "Additional Error Message describing the error." Never contains a token. */
  errorMessage: string
  /** "Optional additional error information." */
  parameters: Array<Record<string, unknown>>
}

/** "Parameters passed to authenticate to an Admin API application." */
export interface AdminApiAuthentication {
  /** "Administration API application id" */
  applicationId: string
  /** "Shared Secret" */
  sharedSecret: string
  /** Also return a session cookie named `INTELLITRUST_SESSION_ID`. */
  enableWebSession?: boolean
}

/** The authenticate response. */
export interface AdminApiAuthenticationResult {
  /** "Authorization token returned after a successful authentication." Send it as `Authorization`. */
  authToken: string
  /** ISO 8601, e.g. `2019-02-19T13:15:27Z`. */
  creationTime: string
  /** ISO 8601, e.g. `2019-02-19T14:15:27Z`. */
  expirationTime: string
}
