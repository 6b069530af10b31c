/**
 * Resolves with the signal's name on the first SIGINT (Ctrl-C) or SIGTERM, then stops listening,
 * so a second Ctrl-C during shutdown ends the process the default way.
 * @internal
 */
export function untilProcessSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']
    const onSignal = (signal: NodeJS.Signals) => {
      for (const name of signals) process.off(name, onSignal)
      resolve(signal)
    }
    for (const name of signals) process.on(name, onSignal)
  })
}
