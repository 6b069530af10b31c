import type * as Msw from 'msw'
import { importPeer, MSW_PEER_RANGE } from '../peer-dependency.js'

// msw is an optional peer dependency: loaded here, so that a missing msw gets an install hint
// instead of Node's bare ERR_MODULE_NOT_FOUND.

/** msw's `http` request handlers. @internal */
export const { http } = await importPeer<typeof Msw>('msw', MSW_PEER_RANGE, 'idaas-webhook-kit/msw')
