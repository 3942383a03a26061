/**
 * The settings model, assembled from one file per tier. Everything that lists settings is derived
 * from the tiers here: the `StackSettings` type, the config keys (Pulumi.yaml, docs/settings.md,
 * the provider's args), the environment presets, the validation and where each setting applies.
 *
 * Adding a setting both targets use: its tier file (type, key, description, defaults, check) and
 * the components that read it. Nothing else lists settings by hand.
 */
import { EnvironmentName, Target, TARGETS } from "../core/types";
import { Validator } from "../core/validation";
import { ApiSettings, apiTier } from "./api";
import { AwsSettings, awsTier } from "./aws";
import { CacheSettings, cacheTier } from "./cache";
import { CostSettings, costTier } from "./cost";
import { DatabaseSettings, databaseTier } from "./database";
import { DeliverySettings, deliveryTier } from "./delivery";
import { EdgeSettings, edgeTier } from "./edge";
import { FrontendSettings, frontendTier } from "./frontend";
import { KubernetesSettings, kubernetesTier, unenforcedEdgeLimits } from "./kubernetes";
import { LlmSettings, llmTier } from "./llm";
import { NetworkSettings, networkTier } from "./network";
import { ObservabilitySettings, observabilityTier } from "./observability";
import { checkIdentity, IDENTITY_KEYS, PROGRAM_KEYS } from "./program";
import { RecoveryObjectives, recoveryTier } from "./recovery";
import { RootSettings, rootTier } from "./root";
import { SecretSettings, secretsTier } from "./secrets";
import { StorageSettings, storageTier } from "./storage";
import { TagSettings, tagsTier } from "./tags";
import { ConfigType, Group, isGroup, Setting, StackIdentity, Tier } from "./tier";

export * from "./alerts";
export * from "./api";
export * from "./aws";
export * from "./cache";
export * from "./cost";
export * from "./database";
export * from "./delivery";
export * from "./deprecations";
export * from "./edge";
export * from "./frontend";
export * from "./kubernetes";
export * from "./llm";
export * from "./network";
export * from "./observability";
export * from "./posture";
export * from "./program";
export * from "./recovery";
export * from "./root";
export * from "./secrets";
export * from "./storage";
export * from "./tags";
export * from "./tier";

/** Everything that describes one stack, fully resolved (no optional knobs left but BYO ones). */
export interface StackSettings extends StackIdentity, RootSettings, CostSettings {
    tags: TagSettings;
    api: ApiSettings;
    llm: LlmSettings;
    database: DatabaseSettings;
    cache: CacheSettings;
    storage: StorageSettings;
    network: NetworkSettings;
    edge: EdgeSettings;
    /** The web front end at `/` (off by default). */
    frontend: FrontendSettings;
    observability: ObservabilitySettings;
    /** Rotation of generated secrets and the alarm on their age. */
    secrets: SecretSettings;
    /** Disaster-recovery objectives (RPO/RTO) the plan checks the stack against. */
    recovery: RecoveryObjectives;
    /** Blue/green and rollback of the API, the snapshot before every deploy. */
    delivery: DeliverySettings;
    aws: AwsSettings;
    kubernetes: KubernetesSettings;
}

/** What a preset fixes: everything but the identity of the stack (target, domain, name, environment). */
export type EnvironmentPreset = Omit<StackSettings, keyof StackIdentity>;

/** Every tier, in the order of Pulumi.yaml and docs/settings.md. */
export const TIERS: readonly Tier<unknown, StackSettings>[] = [
    rootTier,
    tagsTier,
    apiTier,
    llmTier,
    databaseTier,
    cacheTier,
    storageTier,
    networkTier,
    edgeTier,
    frontendTier,
    observabilityTier,
    secretsTier,
    recoveryTier,
    deliveryTier,
    costTier,
    awsTier,
    kubernetesTier,
] as unknown as readonly Tier<unknown, StackSettings>[];

/** One setting with its place: the flat view every derived table reads. */
export interface SettingEntry {
    /** Dotted path in StackSettings (`llm.desiredNodes`). */
    path: string;
    key: string;
    provider: boolean;
    type: ConfigType;
    description: string;
    /** Default per environment (undefined: unset; always undefined in a group). */
    defaults: Record<EnvironmentName, unknown>;
    /** Targets that use it. */
    targets: readonly Target[];
    /** Why another target does not use it. */
    unused: string;
    /** The stack config must set it. */
    required: boolean;
    /** Path of its group (`aws.existingVpc`), when set field by field. */
    group?: string;
    parse?: (text: string) => unknown;
    check?: (v: Validator, field: string, value: unknown, s: StackSettings) => void;
    tier: Tier<unknown, StackSettings>;
}

function entries(): SettingEntry[] {
    const out: SettingEntry[] = [];
    for (const tier of TIERS) {
        const at = (name: string) => (tier.path ? `${tier.path}.${name}` : name);
        for (const [name, spec] of Object.entries(tier.settings as Record<string, Setting<unknown, StackSettings> | Group<unknown, StackSettings>>)) {
            const targets = spec.targets ?? tier.targets ?? TARGETS;
            const unused = spec.unused ?? tier.unused ?? "";
            if (isGroup(spec)) {
                for (const [field, f] of Object.entries(spec.fields as Record<string, Setting<unknown, StackSettings>>))
                    out.push({
                        path: `${at(name)}.${field}`,
                        key: f.key,
                        provider: !!f.provider,
                        type: f.type,
                        description: f.description,
                        defaults: { development: undefined, staging: undefined, production: undefined },
                        required: !!f.required,
                        targets,
                        unused,
                        group: at(name),
                        parse: f.parse,
                        check: f.check,
                        tier,
                    });
            } else {
                const s = spec as Setting<unknown, StackSettings>;
                out.push({
                    path: at(name),
                    key: s.key,
                    provider: !!s.provider,
                    type: s.type,
                    description: s.description,
                    defaults: {
                        development: "development" in s ? s.development : s.staging,
                        staging: s.staging,
                        production: "production" in s ? s.production : s.staging,
                    },
                    required: !!s.required,
                    targets,
                    unused,
                    parse: s.parse,
                    check: s.check,
                    tier,
                });
            }
        }
    }
    return out;
}

/** Every setting, tier by tier. */
export const SETTINGS: readonly SettingEntry[] = entries();

/** The value at a dotted path. */
export function valueAt(o: unknown, path: string): unknown {
    return path.split(".").reduce<unknown>((x, p) => (x as Record<string, unknown> | undefined)?.[p], o);
}

/** Sets the value at a dotted path, creating objects on the way. */
export function setValueAt(o: Record<string, unknown>, path: string, value: unknown): void {
    const parts = path.split(".");
    let cur = o;
    for (const p of parts.slice(0, -1)) {
        if (typeof cur[p] !== "object" || cur[p] === null) cur[p] = {};
        cur = cur[p] as Record<string, unknown>;
    }
    cur[parts[parts.length - 1]] = value;
}

const clone = <T>(x: T): T => (x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T));

/** The preset of an environment: every setting's default (a fresh copy each call). */
export function presetFor(environment: EnvironmentName): EnvironmentPreset {
    const out: Record<string, unknown> = {};
    for (const tier of TIERS) if (tier.path) out[tier.path] = {};
    for (const e of SETTINGS) {
        const value = e.defaults[environment];
        if (value !== undefined) setValueAt(out, e.path, clone(value));
    }
    return out as unknown as EnvironmentPreset;
}

/** The default of one setting in an environment: what components fall back to. */
export function defaultsFor(environment: EnvironmentName | undefined): EnvironmentPreset {
    return presetFor(environment ?? "staging");
}

/** True when the setting at `path` is used by `target`. */
export function appliesTo(entry: SettingEntry, target: Target): boolean {
    return entry.targets.includes(target);
}

/**
 * Validates fully resolved stack settings. Throws one ValidationError naming every bad field.
 * Each setting is checked on the targets that use it, then each tier's checks across settings.
 * `asTarget`: validate as that target's settings (a target's stack, given settings of another).
 */
export function validateStackSettings(settings: StackSettings, context = "rag stack", asTarget?: Target): void {
    // A target's own stack validates the settings as that target's, whatever `target` says.
    const s = asTarget && settings.target !== asTarget ? { ...settings, target: asTarget } : settings;
    const v = new Validator(context);
    checkIdentity(v, s);
    for (const tier of TIERS) {
        if (tier.targets && !tier.targets.includes(s.target)) continue;
        for (const e of SETTINGS) {
            if (e.tier !== tier || !e.check || !appliesTo(e, s.target)) continue;
            if (e.group && valueAt(s, e.group) === undefined) continue;
            e.check(v, e.path, valueAt(s, e.path), s);
        }
        tier.validate?.(v, s);
    }
    v.throwIfAny();
}

/**
 * Settings a target does not use, set away from their default: an error on that target (the user
 * would believe in a setting that does nothing), unless they are for one of `otherTargets` (a
 * stack file that serves both targets). Provider keys (`aws:region`) belong to their provider.
 */
export function unusedSettings(s: StackSettings, otherTargets: readonly Target[] = [], context = "rag stack"): void {
    const preset = presetFor(s.environment);
    const v = new Validator(context);
    for (const e of SETTINGS) {
        if (e.provider || appliesTo(e, s.target) || e.targets.some((t) => otherTargets.includes(t))) continue;
        const value = valueAt(s, e.path);
        if (JSON.stringify(value) === JSON.stringify(valueAt(preset, e.path))) continue;
        const forTarget = e.targets.join(" or ");
        v.fail(
            e.path,
            value,
            `unset on the ${s.target} target (${e.unused || `a ${forTarget} setting`}); if this stack file also serves ${forTarget}, list it in otherTargets`,
        );
    }
    unenforcedEdgeLimits(v, s, otherTargets);
    v.throwIfAny();
}

/** One stack config key of the program and the settings path it sets (empty for program keys). */
export interface ConfigKey {
    key: string;
    /** Dotted path in StackSettings (empty for the program's own keys). */
    path: string;
    type: ConfigType;
    description: string;
    required?: boolean;
    /** A string key with its own syntax: the parsed value, or undefined when the text is invalid. */
    parse?: (text: string) => unknown;
    /** Targets that use the key. */
    targets: readonly Target[];
}

/** Every stack config key the program reads, derived from the tiers (Pulumi.yaml declares exactly these). */
export const CONFIG_KEYS: readonly ConfigKey[] = [
    ...PROGRAM_KEYS.filter((k) => (IDENTITY_KEYS as readonly string[]).includes(k.key)).map((k) => ({ ...k, path: "", targets: TARGETS })),
    ...SETTINGS.filter((e) => !e.provider).map((e) => ({
        key: e.key,
        path: e.path,
        type: e.type,
        description: e.description,
        required: e.required || undefined,
        parse: e.parse,
        targets: e.targets,
    })),
    ...PROGRAM_KEYS.filter((k) => !(IDENTITY_KEYS as readonly string[]).includes(k.key)).map((k) => ({
        ...k,
        path: "",
        targets: k.targets ?? TARGETS,
    })),
];

/** Preset values set outside this program's keys: the AWS provider's region. */
export const PROVIDER_SETTINGS: Readonly<Record<string, string>> = Object.fromEntries(SETTINGS.filter((e) => e.provider).map((e) => [e.path, e.key]));
