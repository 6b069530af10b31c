// A jest project that uses the built package as a user's project would: plain ESM test files
// (run with node --experimental-vm-modules), no transform, imports by the package's own name.
export default {
  rootDir: import.meta.dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/*.test.mjs'],
  transform: {},
  setupFilesAfterEnv: ['<rootDir>/jest.setup.mjs'],
  watchman: false,
  cacheDirectory: process.env.IDAAS_JEST_CACHE,
}
