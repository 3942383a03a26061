/**
 * Stage 1 of the plan: the stack's config. Reads `Pulumi.<stack>.yaml` of the program folder,
 * applies `--target` and `--set`, refuses unknown keys of the project's namespace (naming the
 * closest declared key) and, for this repository's own program, parses and validates the
 * settings. Nothing is registered; every problem is a PlanInputError or a ValidationError.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { SETTINGS, StackSettings } from "../../components/settings";
import { Target } from "../../components/core/types";
import { didYouMean, ValidationError, ValidationIssue } from "../../components/core/validation";
import { declaredKeys, retargetConfig, settingsFromConfig, unknownConfigKeys } from "../../environments/config";
import { repoRootOrNull } from "../paths";
import { PlanInputError } from "./errors";

/** Namespaces other than the project's that `--set` may name (provider config). */
const PROVIDER_NAMESPACES = ["aws", "kubernetes"];

/** The engine's own keys (`pulumi:`) a stack file may set. */
const PULUMI_KEYS = ["disable-default-providers", "tags", "template", "autonaming"];

/**
 * The config keys a provider reads: the fields of its ProviderArgs, from the installed SDK's
 * declarations (undefined when the SDK is not installed: that namespace is then not checked).
 */
function providerKeys(ns: "aws" | "kubernetes"): string[] | undefined {
    try {
        const file = require.resolve(`@pulumi/${ns}/provider.d.ts`);
        const text = fs.readFileSync(file, "utf8");
        const body = /export interface ProviderArgs \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? "";
        const keys = [...body.matchAll(/^\s+(?:readonly\s+)?([A-Za-z]+)\?:/gm)].map((m) => m[1]);
        return keys.length > 0 ? keys : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Every key of a stack file belongs to a namespace something reads: the project's (checked
 * against its declared keys later), a provider's (`aws:`, `kubernetes:`, against the keys the
 * installed provider SDK reads) or the engine's (`pulumi:`). A typo in a namespace or in a
 * provider key would otherwise be ignored, silently.
 */
function checkNamespaces(file: string, keys: string[], project: string): void {
    const issues: ValidationIssue[] = [];
    const namespaces = [project, ...PROVIDER_NAMESPACES, "pulumi"];
    for (const full of keys) {
        const colon = full.indexOf(":");
        if (colon < 0) {
            issues.push({ field: full, value: "(no namespace)", allowed: `<namespace>:<key>, e.g. ${project}:${full}` });
            continue;
        }
        const ns = full.slice(0, colon);
        const key = full.slice(colon + 1);
        if (!namespaces.includes(ns)) {
            issues.push({ field: full, value: ns, allowed: `a namespace something reads: ${namespaces.join(", ")}${didYouMean(ns, namespaces)}` });
            continue;
        }
        const known = ns === "pulumi" ? PULUMI_KEYS : ns === project ? undefined : providerKeys(ns as "aws" | "kubernetes");
        if (known && !known.includes(key))
            issues.push({
                field: full,
                value: key,
                allowed: `a key the ${ns} ${ns === "pulumi" ? "engine" : "provider"} reads${didYouMean(key, known, (c) => `"${ns}:${c}"`)}`,
            });
    }
    if (issues.length > 0) throw new ValidationError(path.basename(file), issues);
}
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export interface ConfigStageOptions {
    stack: string;
    /** Program folder (absolute, or relative to the working directory). @default this repository */
    dir?: string;
    target?: "aws" | "kubernetes";
    /** `--set` values: key (bare, `project:key` or `aws:key`) -> string value. */
    set?: Record<string, string>;
    /**
     * `--config-file`: the stack's config from this file instead of the program folder's
     * `Pulumi.<stack>.yaml`, as `pulumi preview --config-file` reads it (examples/seeds: stack files
     * of this repository's program kept beside their README). @default the program folder's file
     */
    configFile?: string;
}

export interface StackConfig {
    /** Program folder (absolute). */
    root: string;
    /** True for this repository's own program (`index.ts` at the top). */
    ownProgram: boolean;
    project: string;
    stack: string;
    /** The stack file. */
    file: string;
    /** Fully qualified config as `pulumi config` would hand it to the program (strings, arrays as JSON). */
    config: Record<string, string>;
    /** Resolved settings (this repository's own program only). */
    settings?: StackSettings;
    /** Deprecated keys the stack file sets, each naming its new key (this repository's own program only). */
    warnings: string[];
}

/** A program folder's Pulumi.yaml: its project name and the config keys it declares. */
export function readProject(root: string): { name: string; declared: string[] | undefined; main: string } {
    const file = path.join(root, "Pulumi.yaml");
    let doc: Record<string, unknown>;
    try {
        doc = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
    } catch (e) {
        throw new PlanInputError(`${file}: cannot read the project file: ${firstLine(e)}`);
    }
    if (typeof doc.name !== "string" || doc.name === "") throw new PlanInputError(`${file}: the project has no name`);
    const config = doc.config as Record<string, unknown> | undefined;
    const declared = config && typeof config === "object" ? Object.keys(config).filter((k) => !k.includes(":")) : undefined;
    return { name: doc.name, declared: declared && declared.length > 0 ? declared : undefined, main: typeof doc.main === "string" ? doc.main : "index.ts" };
}

function firstLine(e: unknown): string {
    return String(e instanceof Error ? e.message : e).split("\n")[0];
}

/** The stacks of a program folder (its `Pulumi.<stack>.yaml` files). */
export function stacksIn(root: string): string[] {
    return fs
        .readdirSync(root)
        .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
        .map((f) => f.slice("Pulumi.".length, -".yaml".length))
        .sort();
}

/** Reads a stack file into fully qualified string values (arrays and objects as JSON). */
export function readStackFile(root: string, stack: string, configFile?: string): { file: string; config: Record<string, string> } {
    if (!STACK_NAME.test(stack) || stack.includes(".."))
        throw new PlanInputError(`--stack: got ${JSON.stringify(stack)}; allowed: a stack name (letters, digits, '-', '_', '.')`);
    const file = configFile !== undefined ? path.resolve(configFile) : path.join(root, `Pulumi.${stack}.yaml`);
    if (configFile !== undefined && (!fs.existsSync(file) || !fs.statSync(file).isFile()))
        throw new PlanInputError(`--config-file: ${configFile} is not a file; allowed: a stack file (config: section), as pulumi --config-file takes`);
    if (!fs.existsSync(file)) {
        const known = stacksIn(root);
        throw new PlanInputError(`unknown stack "${stack}": ${file} does not exist${didYouMean(stack, known)} (stacks here: ${known.join(", ") || "none"})`);
    }
    let doc: unknown;
    try {
        doc = YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PlanInputError(`${file}: not a readable YAML stack file: ${firstLine(e)}`);
    }
    if (doc !== null && doc !== undefined && (typeof doc !== "object" || Array.isArray(doc)))
        throw new PlanInputError(`${file}: expected a mapping with a "config:" section`);
    const top = Object.keys((doc ?? {}) as Record<string, unknown>);
    const misplaced = top.filter((k) => k !== "config" && k !== "secretsprovider" && k !== "encryptedkey" && k !== "encryptionsalt" && k !== "environment");
    if (misplaced.includes("configuration"))
        throw new PlanInputError(`${file}: "configuration:" is not a stack file section; allowed: "config:" (Pulumi reads the settings only from there)`);
    if (misplaced.length > 0)
        throw new PlanInputError(
            `${file}: unknown top-level section${misplaced.length > 1 ? "s" : ""} ${misplaced.map((k) => `"${k}:"`).join(", ")}${didYouMean(misplaced[0], ["config"])}; allowed: config (the stack's settings), secretsprovider, encryptedkey, encryptionsalt, environment`,
        );
    const section = (doc as { config?: unknown } | null)?.config ?? {};
    if (typeof section !== "object" || section === null || Array.isArray(section))
        throw new PlanInputError(`${file}: "config:" must be a mapping of key: value`);
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(section as Record<string, unknown>)) {
        if (v !== null && typeof v === "object" && !Array.isArray(v) && "secure" in v)
            throw new PlanInputError(`${file}: ${k} is an encrypted value; the offline plan has no secrets provider (use a plain test value or --set)`);
        // NaN and Infinity (YAML .nan, .inf, 1e999) as written, not as JSON's "null".
        // An empty value (`owner:`) is refused by name, never read as the text "null".
        if (v === null || v === undefined)
            throw new PlanInputError(`${file}: ${k} has no value; allowed: a value, or no ${k} line at all (the preset decides)`);
        config[k] = typeof v === "string" ? v : typeof v === "number" && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
    }
    return { file, config };
}

/** Qualifies a `--set` key and refuses namespaces no provider of ours reads. */
function qualify(key: string, project: string): string {
    if (!key.includes(":")) return `${project}:${key}`;
    const ns = key.slice(0, key.indexOf(":"));
    if (ns === project || PROVIDER_NAMESPACES.includes(ns)) return key;
    throw new PlanInputError(
        `--set ${key}: unknown namespace "${ns}"; allowed: a key of ${project} (with or without "${project}:") or ${PROVIDER_NAMESPACES.map((n) => `${n}:<key>`).join(", ")}`,
    );
}

/** Stage 1: the config of one stack of one program, checked. */
export function loadStackConfig(opts: ConfigStageOptions): StackConfig {
    // Default: this repository's program in a checkout; the current folder when installed (ragstack-plan).
    const home = repoRootOrNull();
    const root = path.resolve(opts.dir ?? home ?? process.cwd());
    const shown = opts.dir ?? root;
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new PlanInputError(`--dir: ${shown} is not a folder`);
    if (!fs.existsSync(path.join(root, "Pulumi.yaml"))) throw new PlanInputError(`--dir: ${shown} has no Pulumi.yaml (not a Pulumi program)`);
    const ownProgram = root === home;
    const project = readProject(root);
    const declared = ownProgram ? declaredKeys() : project.declared;
    const { file, config } = readStackFile(root, opts.stack, opts.configFile);
    checkNamespaces(file, Object.keys(config), project.name);

    if (declared) {
        // The program reports the same issues (its message says "stack <name>" where this names the file).
        const unknown = unknownConfigKeys(Object.keys(config), project.name, declared, (k) => config[k]);
        if (unknown.length > 0) throw new ValidationError(path.basename(file), unknown);
    }
    const sets: Record<string, string> = { ...(opts.set ?? {}) };
    const setTarget = Object.entries(sets).find(([k]) => k === "target" || k === `${project.name}:target`)?.[1];
    if (opts.target && setTarget !== undefined && setTarget !== opts.target)
        throw new PlanInputError(`--target ${opts.target} and --set target=${setTarget} disagree; allowed: one of them, or both the same`);
    if (opts.target) sets.target = opts.target;
    // Planned for another target than its own, the file's keys for its own target are kept for it.
    const retarget = opts.target ?? setTarget;
    if (retarget !== undefined && !Object.keys(sets).some((k) => k === "otherTargets" || k === `${project.name}:otherTargets`))
        Object.assign(config, retargetConfig(config, project.name, retarget));
    for (const [key, value] of Object.entries(sets)) {
        const full = qualify(key, project.name);
        if (declared && full.startsWith(`${project.name}:`)) {
            const unknown = unknownConfigKeys([full], project.name, declared, () => value);
            if (unknown.length > 0) throw new ValidationError(`--set ${key}`, unknown);
        }
        config[full] = value;
    }
    // A key set on the command line is meant for the planned target, whatever the file also serves.
    const planned = config[`${project.name}:target`];
    if (ownProgram && planned) {
        const misplaced = Object.entries(sets)
            .map(([key, value]) => ({ key: qualify(key, project.name).slice(project.name.length + 1), value }))
            .map(({ key, value }) => ({ value, entry: SETTINGS.find((e) => !e.provider && e.key === key) }))
            .filter(({ entry }) => entry && !entry.targets.includes(planned as Target));
        if (misplaced.length > 0)
            throw new ValidationError(
                "--set",
                misplaced.map(({ entry, value }) => ({
                    field: `${project.name}:${entry!.key} (${entry!.path})`,
                    value,
                    allowed: `unset on the ${planned} target (${entry!.unused || `a ${entry!.targets.join(" or ")} setting`})`,
                })),
            );
    }

    let settings: StackSettings | undefined;
    let warnings: string[] = [];
    if (ownProgram) {
        const resolved = settingsFromConfig(
            (k) => config[`${project.name}:${k}`],
            project.name,
            config["aws:region"],
            Object.keys(config),
            `stack ${opts.stack}`,
        );
        settings = resolved.settings;
        warnings = resolved.program.warnings;
    }
    return { root, ownProgram, project: project.name, stack: opts.stack, file, config, settings, warnings };
}
