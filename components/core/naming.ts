import { createHash } from "crypto";
/** Naming helpers shared by both targets. Pure functions: no resources, no I/O. */

/** `<stack name>-<environment>-<part>`, lower-case and trimmed to `max` characters. */
export function resourceName(prefix: string, environment: string, part: string, max = 63): string {
    const full = `${prefix}-${environment}-${part}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
    return full.length <= max ? full : full.slice(0, max).replace(/-+$/, "");
}

/** Pulumi type token of a component of this library: `ragstack:<target>:<Component>`. */
export function typeToken(target: "aws" | "kubernetes" | "index", component: string): string {
    return `ragstack:${target}:${component}`;
}

/**
 * Rewrites an image to pull through a registry mirror (air-gapped clusters):
 * `<mirror>/<original host>/<path>`, docker.io being the host of images that name none
 * (`ollama/ollama:1` -> `<mirror>/docker.io/ollama/ollama:1`, `postgres:16` ->
 * `<mirror>/docker.io/library/postgres:16`). Images already on the mirror are left alone.
 */
export function withRegistry(image: string, registry: string): string {
    if (!registry) return image;
    const mirror = registry.replace(/\/+$/, "");
    if (image.startsWith(`${mirror}/`)) return image;
    const first = image.split("/")[0];
    const hasHost = image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
    const host = hasHost ? first : "docker.io";
    const rest = hasHost ? image.slice(first.length + 1) : image.includes("/") ? image : `library/${image}`;
    return `${mirror}/${host}/${rest}`;
}

/**
 * A short, stable digest of a value (8 hex characters of SHA-256 over its JSON). Used in the name
 * of an object whose immutable fields may change, so that a change creates an object of a new
 * name instead of updating one the API server refuses to change.
 */
export function contentSuffix(value: unknown): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 8);
}
