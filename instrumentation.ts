// Runs once per server process before it is ready: starts the drainer, the tap and the
// background jobs (each switchable by env) without blocking start-up on the broker.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // First: route handlers learn each request's socket address from this (the sign-in limiter).
  (await import('./lib/server/auth/peer-address')).installPeerAddressHeader();
  const { startBackground } = await import('./lib/runtime/background');
  startBackground();
  // Access control: the session secret and the first admin (its password printed once) now,
  // not on the first request; a database that is down only delays this to that request.
  await import('./lib/server/auth/bootstrap').then((m) => m.ensureAuthReady()).catch((err) => console.error('auth bootstrap:', (err as Error).message));
}
