// Stand-in for the reader's own `../src/queue.js`: a job queue.
export const queue = {
  jobs: [] as { name: string; data: unknown }[],
  async add(name: string, data: unknown): Promise<void> {
    queue.jobs.push({ name, data })
  },
}
