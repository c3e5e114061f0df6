/** Types for ensure-built.mjs (plain JS so the npm scripts can run it without a build step). */
export declare const BUILD_CONFIG: readonly string[];
export declare function buildState(root: string, outDir?: string): { fresh: boolean; why: string | null };
export declare function ensureBuilt(root: string): void;
