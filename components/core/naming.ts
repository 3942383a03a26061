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

/** Prefixes an image with a registry mirror when it names no registry host. */
export function withRegistry(image: string, registry: string): string {
    if (!registry) return image;
    const first = image.split("/")[0];
    const hasHost = image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
    if (hasHost) return image;
    const path = image.includes("/") ? image : `library/${image}`;
    return `${registry.replace(/\/+$/, "")}/${path}`;
}
