// What the sign-in page says for each next-auth error code.
export function signInErrorMessage(code: string): string {
  switch (code) {
    case 'CredentialsSignin':
      return 'Wrong email or password (or the account is disabled).';
    case 'RateLimited':
      return 'Too many failed sign-in attempts for this account or from this address. Wait 15 minutes, then try again.';
    case 'AccessDenied':
      return 'Your single sign-on account has no access to EventDesk. Ask an admin to add your email address.';
    case 'SessionRequired':
      return 'Please sign in to continue.';
    default:
      return `Sign-in failed (${code}). Try again.`;
  }
}
