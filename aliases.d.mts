/** Types for aliases.mjs (plain JS so every tool's config can load it as it is). */
export declare const aliases: Record<string, string>;
