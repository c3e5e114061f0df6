/** Platform link slice (protocol v1, outbox): filled by the platform-link work. */
export const linkMethods = {};
export const linkEvents = {};
