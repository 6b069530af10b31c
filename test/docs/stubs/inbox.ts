// Stand-in for the reader's own `../src/inbox.js`: where a receiver puts verified events.
export const inbox = {
  events: [] as unknown[],
  async enqueue(event: unknown): Promise<void> {
    inbox.events.push(event)
  },
}
