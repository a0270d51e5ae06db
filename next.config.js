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
};

export default nextConfig;
