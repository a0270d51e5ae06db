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
