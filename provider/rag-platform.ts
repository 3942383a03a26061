/**
 * `RagPlatform`: the whole RAG stack as one component of the Pulumi component package, for
 * programs in any Pulumi language (Python, Go, C#, Java, YAML). Its inputs are the TypeScript
 * program's stack config keys (`args.ts`, generated), resolved by the same code
 * (`settingsFromConfig`) and built by the same function (`ragStackFromProgram`), so a YAML or
 * Python program and `index.ts` with the same settings register the same resources.
 */
import * as pulumi from "@pulumi/pulumi";
import { ragStackFromProgram } from "../facade/stack";
import { didYouMean, ValidationError, ValidationIssue } from "../components/core/validation";
import { CONFIG_KEYS, declaredKeys, DEPRECATED_KEYS, ProgramConfig, settingsFromConfig } from "../environments/config";
import { RagPlatformArgs } from "./args";

export { RagPlatformArgs } from "./args";

/** The package's type token of `RagPlatform` (the component provider serves the `index` module only). */
export const RAG_PLATFORM_TYPE = "ragstack:index:RagPlatform";

/** Namespace `settingsFromConfig` prefixes the keys with; stripped from messages (inputs have no namespace). */
const NS = "input";

/**
 * Resolves the component's inputs as the program resolves its stack config: every setting is
 * checked and every bad one named (by its input name) before anything is registered. Inputs must
 * be plain values: a setting decides which resources exist, so it cannot wait for another
 * resource's output or be a secret (secrets are referenced: `apiSecrets`).
 */
export function programFromArgs(name: string, args: Record<string, unknown>, awsRegion: string | undefined): ProgramConfig {
    const context = `RagPlatform ${name}`;
    const known = declaredKeys();
    const issues: ValidationIssue[] = [];
    for (const [key, value] of Object.entries(args)) {
        if (!known.includes(key)) issues.push({ field: key, value, allowed: `an input of RagPlatform (docs/settings.md)${didYouMean(key, known)}` });
        else if (pulumi.Output.isInstance(value) || (value !== null && typeof value === "object" && "then" in value))
            issues.push({
                field: key,
                value: "(an output or a secret)",
                allowed: "a plain value: settings decide which resources exist (reference secrets with apiSecrets)",
            });
    }
    if (issues.length > 0) throw new ValidationError(context, issues);
    const raw = (key: string): string | undefined => {
        const v = args[key];
        return v === undefined || v === null ? undefined : typeof v === "string" ? v : JSON.stringify(v);
    };
    // The resource's name is the default prefix, so two platforms in one program do not collide.
    const present = Object.keys(args).filter((k) => args[k] !== undefined && args[k] !== null);
    const withName = (key: string) => (key === "name" ? (raw("name") ?? name) : raw(key));
    try {
        const program = settingsFromConfig(
            withName,
            NS,
            awsRegion,
            present.map((k) => `${NS}:${k}`),
            context,
        ).program;
        // inputs have no namespace: "wafLoginPaths is deprecated ...: set edgeLoginPaths instead"
        return { ...program, warnings: program.warnings.map((w) => w.split(`${NS}:`).join("")) };
    } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        throw new ValidationError(
            context,
            e.issues.map((i) => ({ ...i, field: i.field.replace(new RegExp(`^${NS}:`), "") })),
        );
    }
}

/**
 * The inputs of `RagPlatform` equivalent to a program's stack config (`Pulumi.<stack>.yaml`'s
 * `<project>:<key>` entries; values as the file holds them, or as `pulumi config` strings): each
 * key of the project becomes the input of that name with its schema type. Other namespaces
 * (`aws:region`, providers' keys) stay stack config of the program that uses the component.
 * Migrating a stack to another language, or checking that both give the same stack, starts here.
 */
export function inputsFromStackConfig(config: Record<string, unknown>, project = "rag-platform"): Record<string, unknown> {
    const types = new Map(CONFIG_KEYS.map((k) => [k.key, k.type]));
    for (const d of DEPRECATED_KEYS) types.set(d.key, types.get(d.replacedBy)!);
    const out: Record<string, unknown> = {};
    for (const [full, value] of Object.entries(config)) {
        if (!full.startsWith(`${project}:`)) continue;
        const key = full.slice(project.length + 1);
        const type = types.get(key);
        const text = typeof value === "string" ? value : undefined;
        if (type === undefined || value === undefined || value === null || text === "") out[key] = value;
        else if (type === "boolean") out[key] = text === undefined ? value : text === "true" ? true : text === "false" ? false : text;
        else if (type === "integer" || type === "number") out[key] = text === undefined || Number.isNaN(Number(text)) ? value : Number(text);
        else if (type === "array" || type === "objects" || type === "object") {
            try {
                out[key] = text === undefined ? value : JSON.parse(text);
            } catch {
                out[key] = text;
            }
        } else out[key] = text ?? String(value);
    }
    return out;
}

/**
 * The RAG application stack (API, Ollama, PostgreSQL + pgvector, Valkey, object storage, TLS and
 * WAF at the edge, backups, monitoring, audit) on AWS or on a Kubernetes cluster, from the
 * staging or production preset and the inputs that override it.
 */
export class RagPlatform extends pulumi.ComponentResource {
    /** Where the stack is: aws or kubernetes. */
    public readonly target: pulumi.Output<string>;
    /** The preset it was built from: staging or production. */
    public readonly environment: pulumi.Output<string>;
    /** The API's public URL (https://<domain>). */
    public readonly url: pulumi.Output<string>;
    /** PostgreSQL primary endpoint (host:port). */
    public readonly databaseEndpoint: pulumi.Output<string>;
    /** PostgreSQL read endpoint (host:port): the replicas, or the primary when there are none. */
    public readonly databaseReaderEndpoint: pulumi.Output<string>;
    /** Valkey / Redis endpoint (host:port), TLS (absent when cacheEnabled is false). */
    public readonly cacheEndpoint: pulumi.Output<string | undefined>;
    /** Ollama endpoint inside the network (absent when llmEnabled is false). */
    public readonly llmEndpoint: pulumi.Output<string | undefined>;
    /** Documents bucket name. */
    public readonly documentsBucket: pulumi.Output<string>;
    /** Backups bucket name. */
    public readonly backupsBucket: pulumi.Output<string>;
    /** Where each generated secret lives (ARNs or namespace/name): references, never values. */
    public readonly secretRefs: pulumi.Output<{ [key: string]: string }>;
    /** What other stacks attach to (network, keys, alarm topic, cluster, namespaces, service accounts). */
    public readonly attachments: pulumi.Output<{ [key: string]: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any

    constructor(name: string, args: RagPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        const program = programFromArgs(name, { ...(args ?? {}) }, new pulumi.Config("aws").get("region"));
        super(RAG_PLATFORM_TYPE, name, {}, opts);
        for (const w of program.warnings) void pulumi.log.warn(w, this);
        const stack = ragStackFromProgram(program, { parent: this }, `${name}-cluster`);
        this.target = pulumi.output(stack.settings.target);
        this.environment = pulumi.output(stack.settings.environment);
        this.url = stack.url;
        this.databaseEndpoint = stack.databaseEndpoint;
        this.databaseReaderEndpoint = stack.databaseReaderEndpoint;
        this.cacheEndpoint = stack.cacheEndpoint;
        this.llmEndpoint = stack.llmEndpoint;
        this.documentsBucket = stack.documentsBucket;
        this.backupsBucket = stack.backupsBucket;
        this.secretRefs = stack.secretRefs;
        this.attachments = stack.attachments.apply((a): { [key: string]: unknown } => ({ ...a }));
        this.registerOutputs({
            target: this.target,
            environment: this.environment,
            url: this.url,
            databaseEndpoint: this.databaseEndpoint,
            databaseReaderEndpoint: this.databaseReaderEndpoint,
            cacheEndpoint: this.cacheEndpoint,
            llmEndpoint: this.llmEndpoint,
            documentsBucket: this.documentsBucket,
            backupsBucket: this.backupsBucket,
            secretRefs: this.secretRefs,
            attachments: this.attachments,
        });
    }
}
