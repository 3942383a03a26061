/**
 * Renamed stack config keys (and `RagPlatform` inputs, which carry the same names): the old name
 * keeps working for at least one minor release after `since`, its value used for the new key, with
 * a warning naming the new key in the offline plan (the plan document's `warnings`) and in
 * `pulumi preview` / `pulumi up` (pulumi.log.warn). Setting both is refused. Pulumi.yaml keeps
 * declaring the old keys until `removal`, so that `pulumi` accepts stack files that still use them.
 */
export interface DeprecatedKey {
    /** The old key. */
    key: string;
    /** The key that replaces it (same type, same meaning). */
    replacedBy: string;
    /** The first release in which the old key warns. */
    since: string;
    /** The release that removes the old key (a minor release at the earliest after `since`). */
    removal: string;
    /** Why it was renamed. */
    reason: string;
}

export const DEPRECATED_KEYS: readonly DeprecatedKey[] = [
    {
        key: "wafLoginPaths",
        replacedBy: "edgeLoginPaths",
        since: "0.2.0",
        removal: "0.3.0",
        reason: "the login limits apply at every edge (AWS WAF, ingress-nginx, Envoy Gateway), not only the WAF",
    },
    {
        key: "wafLoginRateLimitPer5Min",
        replacedBy: "edgeLoginRateLimitPer5Min",
        since: "0.2.0",
        removal: "0.3.0",
        reason: "the login limits apply at every edge (AWS WAF, ingress-nginx, Envoy Gateway), not only the WAF",
    },
];

/** The warning for a stack that sets deprecated key `d` (as `project:key`; `project` empty for component inputs). */
export function deprecationWarning(d: DeprecatedKey, project: string): string {
    const q = (k: string) => (project ? `${project}:${k}` : k);
    return `${q(d.key)} is deprecated since ${d.since} and will be removed in ${d.removal}: set ${q(d.replacedBy)} instead, same value (renamed because ${d.reason})`;
}
