// Runs once per server process before it is ready: starts the drainer, the tap and the
// background jobs (each switchable by env) without blocking start-up on the broker.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startBackground } = await import('./lib/runtime/background');
  startBackground();
}
