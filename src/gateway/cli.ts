/** The platform gateway (protocol v1). Filled by the platform-link work; see docs/protocol.md. */
export async function main(): Promise<void> {
  throw new Error('The gateway is not built yet.');
}
if (require.main === module) {
  main().catch((err) => {
    console.error(String(err instanceof Error ? err.message : err));
    process.exit(1);
  });
}
