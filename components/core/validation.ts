/**
 * The validation toolkit: `Validator` collects every problem of one input (field, value, what is
 * allowed) and throws them as one `ValidationError`; small pure predicates (CIDRs, image
 * references) and the did-you-mean helper. The rules of each setting live in its tier file
 * (`components/settings/`); components use the same toolkit for their own args.
 */
import { partitionOfRegion, SUPPORTED_PARTITIONS, supportedRegions } from "./aws-catalog";

/** A problem with one input field. */
export interface ValidationIssue {
    field: string;
    value: unknown;
    allowed: string;
}

/** Thrown for invalid input, before any resource is registered. Lists every problem found. */
export class ValidationError extends Error {
    readonly issues: ValidationIssue[];
    constructor(context: string, issues: ValidationIssue[]) {
        super(`${context}: invalid input\n` + issues.map((i) => `  - ${i.field}: got ${show(i.value)}; allowed: ${i.allowed}`).join("\n"));
        this.name = "ValidationError";
        this.issues = issues;
    }
}

function show(v: unknown): string {
    if (v === undefined) return "nothing (the field is missing)";
    if (typeof v === "string") return JSON.stringify(v);
    try {
        return JSON.stringify(v);
    } catch {
        return String(v);
    }
}

/** Collects issues; `throwIfAny` raises one ValidationError with all of them. */
export class Validator {
    readonly issues: ValidationIssue[] = [];
    constructor(private readonly context: string) {}

    fail(field: string, value: unknown, allowed: string): void {
        this.issues.push({ field, value, allowed });
    }

    oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): value is T {
        if (typeof value !== "string" || !allowed.includes(value as T)) {
            this.fail(field, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
            return false;
        }
        return true;
    }

    int(field: string, value: unknown, min: number, max: number): boolean {
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
            this.fail(field, value, `an integer from ${min} to ${max}`);
            return false;
        }
        return true;
    }

    number(field: string, value: unknown, min: number, max: number): boolean {
        if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
            this.fail(field, value, `a number from ${min} to ${max}`);
            return false;
        }
        return true;
    }

    bool(field: string, value: unknown): boolean {
        if (typeof value !== "boolean") {
            this.fail(field, value, "true or false");
            return false;
        }
        return true;
    }

    nonEmpty(field: string, value: unknown, what = "a non-empty string"): boolean {
        if (typeof value !== "string" || value.trim() === "") {
            this.fail(field, value, what);
            return false;
        }
        return true;
    }

    matches(field: string, value: unknown, re: RegExp, allowed: string): boolean {
        if (typeof value !== "string" || !re.test(value)) {
            this.fail(field, value, allowed);
            return false;
        }
        return true;
    }

    cidr(field: string, value: unknown, minPrefix = 0, maxPrefix = 32): boolean {
        if (typeof value !== "string" || !isCidr(value)) {
            this.fail(field, value, "an IPv4 CIDR such as 10.0.0.0/16");
            return false;
        }
        const prefix = Number(value.split("/")[1]);
        if (prefix < minPrefix || prefix > maxPrefix) {
            this.fail(field, value, `an IPv4 CIDR with a prefix from /${minPrefix} to /${maxPrefix}`);
            return false;
        }
        return true;
    }

    image(field: string, value: unknown): boolean {
        if (typeof value !== "string" || value.trim() === "") {
            this.fail(field, value, "a container image pinned by tag or digest, e.g. registry/app:1.2.3");
            return false;
        }
        if (!isImageReference(value)) {
            this.fail(
                field,
                value,
                "an image reference [registry[:port]/]repository[:tag][@sha256:<64 hex>]: no scheme, no spaces, a lower-case repository, a whole digest",
            );
            return false;
        }
        if (!isPinnedImage(value)) {
            this.fail(field, value, "an image pinned by a tag other than `latest` or by an @sha256 digest");
            return false;
        }
        return true;
    }

    /** A list whose entries must differ (zones, CIDRs, e-mails, countries): names the first repeated entry. */
    unique(field: string, value: unknown): boolean {
        if (!Array.isArray(value)) return true;
        const seen = new Set<unknown>();
        for (const [i, item] of value.entries()) {
            if (seen.has(item)) {
                this.fail(`${field}[${i}]`, item, `a value not already in ${field} (each entry once)`);
                return false;
            }
            seen.add(item);
        }
        return true;
    }

    /**
     * An AWS region of a partition the stack plans for (`aws`, `aws-us-gov`), by AWS's list of
     * regions: a well-formed name AWS does not have (`eu-west-9`) is refused too.
     */
    awsRegion(field: string, value: unknown): boolean {
        const partition = partitionOfRegion(value);
        if (partition === undefined) {
            const near = typeof value === "string" ? didYouMean(value, supportedRegions()) : "";
            this.fail(field, value, `an AWS region, one of ${supportedRegions().join(", ")}${near}`);
            return false;
        }
        if (!SUPPORTED_PARTITIONS.includes(partition)) {
            this.fail(
                field,
                value,
                `a region of the ${SUPPORTED_PARTITIONS.join(" or ")} partition: ${String(value)} is in ${partition}, whose endpoint service names and service principals this stack does not build`,
            );
            return false;
        }
        return true;
    }

    /** `create` and `existing` forms of one thing are mutually exclusive. */
    exclusive(fieldA: string, a: unknown, fieldB: string, b: unknown): boolean {
        if (a !== undefined && a !== false && b !== undefined && b !== false) {
            this.fail(`${fieldA} / ${fieldB}`, { [fieldA]: a, [fieldB]: b }, `either ${fieldA} or ${fieldB}, not both`);
            return false;
        }
        return true;
    }

    throwIfAny(): void {
        if (this.issues.length > 0) throw new ValidationError(this.context, this.issues);
    }
}

/** True for a syntactically valid IPv4 CIDR whose address is the network address. */
export function isCidr(value: string): boolean {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!m) return false;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return false;
    const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return (addr & mask) >>> 0 === addr;
}

/**
 * True for a reference in the OCI distribution grammar: `[host[:port]/]path[:tag][@sha256:<64 hex>]`,
 * path components lower-case (`[a-z0-9]+` joined by `.`, `_`, `__` or dashes), a tag of at most 128
 * word characters, dots and dashes. Refuses a scheme (`https://`), spaces, an upper-case
 * repository and a truncated digest. https://github.com/distribution/reference (grammar)
 */
export function isImageReference(image: string): boolean {
    const m = /^([^@]+?)(?::([\w][\w.-]{0,127}))?(?:@sha256:([a-f0-9]{64}))?$/.exec(image);
    if (!m || image.includes("@") !== (m[3] !== undefined)) return false;
    const parts = m[1].split("/");
    const first = parts[0];
    const hasDomain = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost" || /[A-Z]/.test(first));
    if (hasDomain) {
        const domain = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?$/;
        if (!domain.test(first)) return false;
        parts.shift();
    }
    return parts.length > 0 && parts.every((c) => /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(c));
}

/** True when an image reference names a tag other than `latest`, or a digest. */
export function isPinnedImage(image: string): boolean {
    if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
    const lastSlash = image.lastIndexOf("/");
    const tail = image.slice(lastSlash + 1);
    const colon = tail.lastIndexOf(":");
    if (colon < 0) return false;
    const tag = tail.slice(colon + 1);
    return tag !== "" && tag !== "latest" && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag);
}

/** Levenshtein distance between two strings (case-insensitive). */
export function editDistance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const cur = [i];
        for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
        prev = cur;
    }
    return prev[y.length];
}

/** The candidate closest to `value` ("did you mean ..."), or undefined when none is close. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const d = editDistance(value, c);
        if (d < bestDistance) [best, bestDistance] = [c, d];
    }
    const prefixHit = candidates.find((c) => c.toLowerCase().startsWith(value.toLowerCase()) && value.length >= 3);
    if (bestDistance <= Math.max(2, Math.floor(value.length / 3))) return best;
    return prefixHit;
}

/** "; did you mean "x"?" or "" — appended to messages about unknown names. */
export function didYouMean(value: string, candidates: readonly string[], quote = (s: string) => `"${s}"`): string {
    const c = closest(value, candidates);
    return c ? `; did you mean ${quote(c)}?` : "";
}

/** A map of string keys (matching `key`) to string values. */
export function checkStringMap(v: Validator, field: string, value: unknown, key: RegExp, allowed: string): void {
    if (value === undefined) return;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        v.fail(field, value, `an object of ${allowed}`);
        return;
    }
    for (const [k, x] of Object.entries(value)) {
        if (!key.test(k)) v.fail(`${field}.${k}`, k, allowed);
        else if (typeof x !== "string") v.fail(`${field}.${k}`, x, "a string value");
    }
}
