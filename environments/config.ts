/**
 * Stack config to settings: the program's keys (derived from the tiers in `components/settings/`)
 * parsed with their types, unknown keys refused, the preset applied and the result validated. Also
 * the tables generated from the keys: Pulumi.yaml's config section and docs/settings.md's rows.
 */
import { DeepPartial, ENVIRONMENTS, EnvironmentName, Target, TARGETS } from "../components/core/types";
import { didYouMean, ValidationError, ValidationIssue } from "../components/core/validation";
import {
    CONFIG_KEYS,
    ConfigKey,
    ConfigType,
    DEPRECATED_KEYS,
    deprecationWarning,
    PROVIDER_SETTINGS,
    setValueAt,
    SETTINGS,
    StackSettings,
    valueAt,
} from "../components/settings";
import { resolveStackSettings, StackInput } from "./resolve";

export { CONFIG_KEYS, DEPRECATED_KEYS };

/** Every key Pulumi.yaml declares: the program's keys and, until their removal, the deprecated ones. */
export function declaredKeys(): string[] {
    return [...CONFIG_KEYS.map((k) => k.key), ...DEPRECATED_KEYS.map((d) => d.key)];
}
export type { ConfigKey, ConfigType };

/** The declaration of every key in Pulumi.yaml's `config:` section. */
export function pulumiYamlConfig(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const k of CONFIG_KEYS) {
        const kind =
            k.type === "integer"
                ? "an integer"
                : k.type === "number"
                  ? "a number"
                  : k.type === "boolean"
                    ? "true or false"
                    : k.type === "array"
                      ? "a list of strings"
                      : k.type === "objects"
                        ? "a list of objects"
                        : k.type === "object"
                          ? "an object"
                          : "a string";
        const description = `${k.description} (${kind}${k.required ? "; required" : "; empty: the environment preset decides"})`;
        if (k.required)
            out[k.key] = { type: k.type === "array" ? "array" : k.type === "integer" ? "integer" : k.type === "boolean" ? "boolean" : "string", description };
        else if (k.type === "array") out[k.key] = { type: "array", items: { type: "string" }, default: [], description };
        else if (k.type === "objects") out[k.key] = { type: "array", items: { type: "object" }, default: [], description };
        else if (k.type === "object") out[k.key] = { type: "object", default: {}, description };
        else out[k.key] = { type: "string", default: "", description };
    }
    // Deprecated keys stay declared (as their new key is) so that `pulumi` accepts stack files using them.
    for (const d of DEPRECATED_KEYS) {
        const current = out[d.replacedBy];
        if (!current) throw new Error(`deprecated key ${d.key}: its replacement ${d.replacedBy} is not a config key`);
        out[d.key] = { ...structuredClone(current), description: `Deprecated since ${d.since} (removed in ${d.removal}): use ${d.replacedBy}.` };
    }
    return out;
}

/** Raw config reader: returns the string value of `key` or undefined. */
export type RawConfig = (key: string) => string | undefined;

/** What the program needs besides the settings. */
export interface ProgramConfig {
    input: StackInput;
    kubernetes: { context?: string; renderYamlDir?: string };
    /** Deprecated keys the config sets, each naming its new key (printed by the plan and by `pulumi preview`). */
    warnings: string[];
}

/** "" and [] / {} are the declared defaults of optional keys: unset (the preset decides). */
function isUnset(type: ConfigType, text: string | undefined): text is undefined {
    return (
        text === undefined || text === "" || ((type === "array" || type === "objects") && text.trim() === "[]") || (type === "object" && text.trim() === "{}")
    );
}

/**
 * Config keys of `project` that are set but not declared (a typo such as `dbMultiAZ` would
 * otherwise be ignored silently): one issue per key with its value, naming the closest declared
 * key. `present` holds fully qualified keys (`project:key`, `aws:region`); other namespaces belong
 * to providers and are left alone.
 */
export function unknownConfigKeys(
    present: readonly string[],
    project: string,
    declared: readonly string[],
    valueOf: (fullKey: string) => unknown = () => "(set)",
): ValidationIssue[] {
    const known = new Set(declared);
    const issues: ValidationIssue[] = [];
    for (const full of present) {
        if (!full.startsWith(`${project}:`)) continue;
        const key = full.slice(project.length + 1);
        if (known.has(key)) continue;
        issues.push({
            field: full,
            value: valueOf(full),
            allowed: `a key declared in Pulumi.yaml${didYouMean(key, declared, (c) => `"${project}:${c}"`)}`,
        });
    }
    return issues;
}

/**
 * Parses stack config into the program's input. Type errors (a non-integer, a bad boolean, an
 * array that is not JSON) and unknown keys (`presentKeys`, fully qualified) are reported for
 * every key at once, naming the key and the value.
 */
export function parseConfig(raw: RawConfig, project = "rag-platform", awsRegion?: string, presentKeys: readonly string[] = []): ProgramConfig {
    const issues: ValidationIssue[] = unknownConfigKeys(presentKeys, project, declaredKeys(), (full) => raw(full.slice(project.length + 1)));
    // A deprecated key's value is read as its new key's (both set: refused, naming both).
    const warnings: string[] = [];
    const renamed = new Map<string, string>();
    for (const d of DEPRECATED_KEYS) {
        const type = CONFIG_KEYS.find((k) => k.key === d.replacedBy)!.type;
        const old = raw(d.key);
        if (isUnset(type, old)) continue;
        if (!isUnset(type, raw(d.replacedBy)))
            issues.push({
                field: `${project}:${d.key}`,
                value: old,
                allowed: `unset when ${project}:${d.replacedBy} is set (${d.key} is its deprecated name): keep ${d.replacedBy} only`,
            });
        else {
            renamed.set(d.replacedBy, old);
            warnings.push(deprecationWarning(d, project));
        }
    }
    const overrides: Record<string, unknown> = {};
    const values: Record<string, unknown> = {};
    for (const k of CONFIG_KEYS) {
        const text = renamed.get(k.key) ?? raw(k.key);
        if (isUnset(k.type, text)) {
            if (k.required) issues.push({ field: `${project}:${k.key}`, value: undefined, allowed: k.description });
            continue;
        }
        let value: unknown = text;
        if (k.parse) {
            value = k.parse(text);
            if (value === undefined) issues.push({ field: `${project}:${k.key}`, value: text, allowed: k.description });
        } else
            switch (k.type) {
                case "integer":
                    value = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
                    if (Number.isNaN(value)) issues.push({ field: `${project}:${k.key}`, value: text, allowed: "an integer" });
                    break;
                case "number":
                    // Plain decimals only: Number() would read 0x1 as 1 and 1e999 as Infinity.
                    value = /^-?(\d+(\.\d*)?|\.\d+)$/.test(text.trim()) ? Number(text) : NaN;
                    if (Number.isNaN(value))
                        issues.push({
                            field: `${project}:${k.key}`,
                            value: text,
                            allowed: "a plain decimal number such as 2 or 0.5 (no hex, exponent, NaN or Infinity)",
                        });
                    break;
                case "boolean":
                    if (text !== "true" && text !== "false") issues.push({ field: `${project}:${k.key}`, value: text, allowed: "true or false" });
                    value = text === "true";
                    break;
                case "objects":
                    try {
                        value = JSON.parse(text);
                        if (!Array.isArray(value) || !(value as unknown[]).every((x) => x !== null && typeof x === "object" && !Array.isArray(x)))
                            throw new Error();
                    } catch {
                        issues.push({ field: `${project}:${k.key}`, value: text, allowed: "a list of objects" });
                    }
                    break;
                case "object":
                    try {
                        value = JSON.parse(text);
                        if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error();
                    } catch {
                        issues.push({ field: `${project}:${k.key}`, value: text, allowed: "an object" });
                    }
                    break;
                case "array":
                    try {
                        value = JSON.parse(text);
                        if (!Array.isArray(value) || !(value as unknown[]).every((x) => typeof x === "string")) throw new Error();
                    } catch {
                        issues.push({ field: `${project}:${k.key}`, value: text, allowed: "a list of strings" });
                    }
                    break;
            }
        values[k.key] = value;
        if (k.path) setValueAt(overrides, k.path, value);
    }
    if (awsRegion) setValueAt(overrides, "aws.region", awsRegion);
    const otherTargets = (values.otherTargets as string[] | undefined) ?? [];
    otherTargets.forEach((t, i) => {
        if (!(TARGETS as readonly string[]).includes(t) || otherTargets.indexOf(t) !== i)
            issues.push({
                field: `${project}:otherTargets`,
                value: otherTargets,
                allowed: `targets, each once: ${TARGETS.map((x) => `"${x}"`).join(", ")}${didYouMean(t, TARGETS)}`,
            });
    });
    if (issues.length > 0) throw new ValidationError("stack config", issues);
    return {
        input: {
            target: values.target as StackInput["target"],
            environment: values.environment as StackInput["environment"],
            domain: values.domain as string,
            name: values.name as string | undefined,
            otherTargets: otherTargets as Target[],
            overrides: overrides as DeepPartial<StackSettings>,
        },
        kubernetes: { context: values.k8sContext as string | undefined, renderYamlDir: values.k8sRenderYamlDir as string | undefined },
        warnings,
    };
}

/**
 * Resolves stack config to settings, as the program does: parse (types, unknown keys), apply
 * the preset, validate. A bad setting is reported under the config key that set it
 * (`rag-platform:logRetentionDays (observability.logRetentionDays)`), so that the offline plan and
 * `pulumi preview` print the same message.
 */
export function settingsFromConfig(
    raw: RawConfig,
    project: string,
    awsRegion: string | undefined,
    presentKeys: readonly string[],
    context: string,
): { program: ProgramConfig; settings: StackSettings } {
    const program = parseConfig(raw, project, awsRegion, presentKeys);
    try {
        const settings = resolveStackSettings(program.input, context);
        const k = settings.kubernetes;
        if (settings.target === "kubernetes" && program.kubernetes.renderYamlDir && k.secrets === "native" && !k.allowPlaintextRenderedSecrets)
            throw new ValidationError(context, [
                {
                    field: `${project}:k8sRenderYamlDir`,
                    value: program.kubernetes.renderYamlDir,
                    allowed:
                        "unset while k8sSecrets is native (rendered YAML would hold the generated passwords in plaintext): set k8sSecrets external, or k8sAllowPlaintextRenderedSecrets true (the named opt-out)",
                },
            ]);
        return { program, settings };
    } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const byPath = new Map(CONFIG_KEYS.filter((k) => k.path).map((k) => [k.path, k.key]));
        // the key whose path is the field or its closest parent (tags.extra.Team -> tagsExtra)
        const keyOf = (field: string): string | undefined => {
            for (let f = field.replace(/\[\d+\]$/, ""); f; f = f.includes(".") ? f.slice(0, f.lastIndexOf(".")) : "") {
                const key = byPath.get(f);
                if (key) return key;
            }
            return ["target", "environment", "domain", "name"].includes(field) ? field : undefined;
        };
        throw new ValidationError(
            context,
            e.issues.map((i) => {
                const key = keyOf(i.field);
                return key ? { ...i, field: `${project}:${key} (${i.field})` } : i;
            }),
        );
    }
}

/**
 * Stack config (`project:key` -> text) planned for `target` instead of the file's own target: the
 * file's own target joins `otherTargets`, so that its keys are kept for it instead of refused
 * (what the plan's `--target` and the testing kit's `target` override do).
 */
export function retargetConfig(config: Record<string, string>, project: string, target: string): Record<string, string> {
    const own = config[`${project}:target`];
    const out = { ...config, [`${project}:target`]: target };
    if (!own || own === target) return out;
    let others: unknown = [];
    try {
        others = config[`${project}:otherTargets`] ? JSON.parse(config[`${project}:otherTargets`]) : [];
    } catch {
        return out; // the program reports a malformed list under its key
    }
    if (Array.isArray(others) && !others.includes(own)) out[`${project}:otherTargets`] = JSON.stringify([...others, own]);
    return out;
}

/** One row of the settings table: a preset value, the config key that sets it and the presets' values. */
export interface SettingRow {
    path: string;
    /** The key (`rag-platform:<key>`, or a provider key such as `aws:region`). */
    key: string;
    development: unknown;
    staging: unknown;
    production: unknown;
    description: string;
    /** Targets that use it. */
    targets: readonly Target[];
}

/** Every setting with a default and the config key that overrides it (docs/settings.md, the provider's args). */
export function settingsTable(presets: Record<EnvironmentName, object>): SettingRow[] {
    return SETTINGS.filter((e) => ENVIRONMENTS.some((env) => valueAt(presets[env], e.path) !== undefined)).map((e) => ({
        path: e.path,
        key: e.provider ? e.key : `rag-platform:${e.key}`,
        development: valueAt(presets.development, e.path),
        staging: valueAt(presets.staging, e.path),
        production: valueAt(presets.production, e.path),
        description: e.description,
        targets: e.targets,
    }));
}

export { PROVIDER_SETTINGS };
