#!/usr/bin/env node
// Launcher of the idaas-webhook-kit CLI. The CLI itself is src/cli/, compiled to dist/ by "npm run build".
const entry = new URL('../dist/src/cli/main.js', import.meta.url)

let cli
try {
  cli = await import(entry.href)
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || error?.url !== entry.href) throw error
  process.stderr.write(
    '[idaas-webhook-kit] Failed to start: dist/src/cli/main.js is missing. Run "npm run build" first.\n',
  )
  process.exitCode = 2
}
if (cli) process.exitCode = await cli.main(process.argv.slice(2))
