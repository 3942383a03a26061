/**
 * The shape of a settings tier. Each tier (api, llm, database, …) is one file that states, once,
 * for every setting: its type, its stack config key with a description, its default per
 * environment, the targets that use it and its own check. `components/settings/index.ts`
 * assembles the tiers into the settings model, the config key table, the presets, the validation,
 * Pulumi.yaml's config schema, docs/settings.md and the provider's args.
 */
import { EnvironmentName, Target } from "../core/types";
import { Validator } from "../core/validation";

/** Type of a stack config value, as declared in Pulumi.yaml. */
export type ConfigType = "string" | "integer" | "number" | "boolean" | "array" | "objects" | "object";

/** What every tier's checks may read besides its own settings. */
export interface StackIdentity {
    /** Name prefix of every resource. @default "rag" */
    name: string;
    target: Target;
    environment: EnvironmentName;
    /** Public host name of the API, e.g. `rag.example.gov`. Required: TLS needs it. */
    domain: string;
}

/** One setting of a tier. `C` is what its check may read of the whole stack. */
export interface Setting<T, C = unknown> {
    /** Stack config key (`rag-platform:<key>`), or a provider's key (`aws:region`) with `provider`. */
    key: string;
    /** Set by a provider's config, not by this program's namespace. */
    provider?: boolean;
    type: ConfigType;
    /** One line for Pulumi.yaml, docs/settings.md and the provider's schema. */
    description: string;
    /** The stack config must set it (no preset value serves). @default false */
    required?: boolean;
    /** Default in staging, and in development or production unless they are given; undefined: unset. */
    staging: T;
    /** Default in development. @default the staging default */
    development?: T;
    /** Default in production. @default the staging default */
    production?: T;
    /**
     * Targets that use the setting. On another target it is refused when set away from its
     * default (unless the stack file also serves a target that uses it: `targets`), with `unused`
     * as the reason. @default both
     */
    targets?: readonly Target[];
    /** Why the other target does not use it and what to do there instead (the refusal's text). */
    unused?: string;
    /** A string key with its own syntax: the parsed value, or undefined when the text is invalid. */
    parse?: (text: string) => T | undefined;
    /** Its own check, on the targets that use it; `field` is its settings path. */
    check?: (v: Validator, field: string, value: T, s: C) => void;
}

/** Settings of an optional object set field by field (aws.existingVpc): each field its own key. */
export interface Group<T, C = unknown> {
    /** The fields, each with its own key; the group is unset by default and checked only when set. */
    fields: { [K in keyof T]-?: Omit<Setting<T[K], C>, "staging" | "development" | "production" | "targets" | "unused"> };
    /** Targets that use the group. @default both */
    targets?: readonly Target[];
    unused?: string;
}

/** The settings of a tier, one entry per field of its settings type. */
export type TierSettings<T, C> = { [K in keyof T]-?: NonNullable<T[K]> extends object ? Setting<T[K], C> | Group<NonNullable<T[K]>, C> : Setting<T[K], C> };

/** One tier: its settings and its checks across settings. */
export interface Tier<T, C = unknown> {
    /** Path of the tier in StackSettings (`api`); "" for settings at the root (`protectData`). */
    path: string;
    /** Heading in docs/settings.md. */
    title: string;
    settings: TierSettings<T, C>;
    /** Targets that use every setting of the tier (a setting may narrow it). @default both */
    targets?: readonly Target[];
    /** Why the other target does not use the tier's settings. */
    unused?: string;
    /** Checks between settings (inside the tier or with others), run after every setting's own check, on the tier's targets. */
    validate?: (v: Validator, s: C) => void;
}

/** Types a tier against its settings type `T` and the stack view `C` its checks read. */
export function defineTier<T, C = unknown>(tier: Tier<T, C>): Tier<T, C> {
    return tier;
}

/** True for a group entry. */
export function isGroup<C>(spec: Setting<unknown, C> | Group<unknown, C>): spec is Group<unknown, C> {
    return "fields" in spec;
}
