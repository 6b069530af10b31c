import { describe, expect, it } from '@jest/globals'
import { createIdaasWebhookHandler } from 'idaas-webhook-kit'
import { createEvent, ENTRUST_EXAMPLES } from 'idaas-webhook-kit/testing'

const token = 'whsec_jest'
const verifying = createIdaasWebhookHandler({ token, onEvent: () => {} })
/** A receiver that checks nothing: it answers 204 to every request. */
const acceptsAnything = async () => new Response(null, { status: 204 })

describe('the IDaaS matchers registered with jest expect.extend', () => {
  it('passes toBeValidIdaasEvent for a documented example and fails it for an event without accountId', () => {
    expect(ENTRUST_EXAMPLES['user.created']).toBeValidIdaasEvent()
    expect({ type: 'user.created' }).not.toBeValidIdaasEvent()
    expect(() => expect({ type: 'user.created' }).toBeValidIdaasEvent()).toThrow(/accountId/)
  })

  it('passes toAcceptIdaasEvent for a Fetch handler that verifies the signature', async () => {
    await expect(verifying).toAcceptIdaasEvent(createEvent('user.created'), { token })
  })

  it('fails toAcceptIdaasEvent, naming the status, when the handler has another token', async () => {
    const wrongToken = createIdaasWebhookHandler({ token: 'whsec_other', onEvent: () => {} })
    await expect(
      expect(wrongToken).toAcceptIdaasEvent(createEvent('user.created'), { token }),
    ).rejects.toThrow(/401/)
  })

  it('passes toRejectForgedDeliveries for a verifying handler and fails it for one that accepts anything', async () => {
    await expect(verifying).toRejectForgedDeliveries({ token })
    await expect(acceptsAnything).not.toRejectForgedDeliveries({ token })
    await expect(expect(acceptsAnything).toRejectForgedDeliveries({ token })).rejects.toThrow(
      /rejects-/,
    )
  })
})
