/** Deep merge for settings: plain objects merge key by key; arrays and scalars replace. */
export function deepMerge<T>(base: T, override: unknown): T {
    if (override === undefined) return base;
    if (!isPlainObject(base) || !isPlainObject(override)) return override as T;
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(override)) {
        if (v === undefined) continue;
        out[k] = isPlainObject(out[k]) && isPlainObject(v) && !isStringRecordKey(k) ? deepMerge(out[k], v) : v;
    }
    return out as T;
}

/** Records of free-form keys (env, labels, selectors, extra tags) are replaced whole. */
function isStringRecordKey(k: string): boolean {
    return k === "env" || k === "extra" || k === "gpuNodeSelector";
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}
