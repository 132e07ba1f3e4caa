// What the pages share: the session (carriers, action types, access) and the server clock.
const listeners = new Set();

export const ctx = {
  session: null,
  clock: { serverMs: 0, fetchedAt: 0, offsetSeconds: 0 },
  /** The server's clock now (it may run ahead of real time: house rule 14). */
  nowMs() {
    return this.clock.serverMs + (Date.now() - this.clock.fetchedAt);
  },
  setClock(nowMs, offsetSeconds) {
    this.clock = { serverMs: nowMs, fetchedAt: Date.now(), offsetSeconds };
    listeners.forEach((fn) => fn());
  },
  onClock(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};
