import { describe, expect, it } from 'vitest'
import { cleanErrorMessage } from '../../src/verify/evidence.js'

describe('cleanErrorMessage', () => {
  it('reduces an OpenSSL error dump to its reason', () => {
    expect(
      cleanErrorMessage(
        '808C1E1C0F7F0000:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:../deps/openssl/ssl/record/rec_layer_s3.c:1605:SSL alert number 70',
      ),
    ).toBe('tlsv1 alert protocol version')
  })

  it("drops the hint newer Node versions append to certificate errors, keeping the kit's one hint", () => {
    expect(
      cleanErrorMessage(
        'self-signed certificate; if the root CA is installed locally, try running Node.js with --use-system-ca',
      ),
    ).toBe('self-signed certificate')
  })

  it('leaves other messages unchanged', () => {
    expect(cleanErrorMessage('connect ECONNREFUSED 127.0.0.1:4010')).toBe(
      'connect ECONNREFUSED 127.0.0.1:4010',
    )
  })
})
