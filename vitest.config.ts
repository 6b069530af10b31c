import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 30_000,
    // Some setups start Prism or install the packed package: slow on a busy machine, not stuck.
    hookTimeout: 60_000,
    restoreMocks: true,
  },
})
