// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // Helpers and test runs may build side by side: each can pick its own output folder.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  reactStrictMode: true,
  poweredByHeader: false,
  // Node-only packages stay out of the bundle; prom-client must be a single instance per process.
  serverExternalPackages: ['amqplib', 'pg', 'pino', 'prom-client', '@node-rs/argon2', '@prisma/client', '@prisma/adapter-pg'],
  allowedDevOrigins: ['127.0.0.1'],
  typescript: { ignoreBuildErrors: false },
  // The proxy (proxy.ts) buffers the body of each request it matches, 10 MB by default: 120
  // unauthenticated POSTs of 10 MB to /sign-in took the server from 0.5 to 1.5 GB and /api/health
  // to seconds. Pages take no body (no server actions here; the proxy answers 405 to any other
  // method), and the API paths it matches are answered 400 before their route runs.
  experimental: { proxyClientMaxBodySize: '64kb' },
  // Security headers (access control). Pages get their nonce-based Content-Security-Policy from
  // proxy.ts; API responses are JSON and may load nothing.
  async headers() {
    const everywhere = [
      { key: 'X-Content-Type-Options', value: 'nosniff' },
      { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
      { key: 'X-Frame-Options', value: 'DENY' },
    ];
    return [
      { source: '/:path*', headers: everywhere },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};

export default nextConfig;
