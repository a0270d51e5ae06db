// Credentials for API tests. PLACEHOLDER until access control lands: the auth work makes
// createTestToken() insert a real API token into the test database and return it.
export async function createTestToken(_databaseUrl: string, _role: 'viewer' | 'operator' | 'admin'): Promise<string> {
  return '';
}

export function bearer(token: string): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}
