// What the sign-in page says for each next-auth error code.
export function signInErrorMessage(code: string, retryAfterSeconds?: number): string {
  switch (code) {
    case 'CredentialsSignin':
      return 'Wrong email or password (or the account is disabled).';
    case 'RateLimited':
      return `Too many failed sign-in attempts from this address. Wait ${retryAfterSeconds ? waitText(retryAfterSeconds) : 'a little'}, then try again.`;
    case 'AccessDenied':
      return 'Your single sign-on account has no access to EventDesk. Ask an admin to add your email address.';
    case 'SessionRequired':
      return 'Please sign in to continue.';
    default:
      return `Sign-in failed (${code}). Try again.`;
  }
}

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
