// Stands in for `server-only` under vitest (it throws outside the react-server condition).
export {};
