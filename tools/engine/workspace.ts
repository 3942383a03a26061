/**
 * A throw-away Pulumi workspace for the real engine (built by tools/engine/build.sh): a temp
 * folder with a local file backend, its own PULUMI_HOME and a per-run passphrase, and a copy of
 * the project whose program and node_modules are this repository's (symlinks). Nothing in the
 * repository is changed: `pulumi stack init` and `config set` write the copies.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { retargetConfig } from "../../environments/config";
import { repoRoot } from "../../testing/paths";

/** The folder the engine binaries are in (tools/engine/versions.sh). */
export function engineBin(): string {
    if (process.env.RAGSTACK_ENGINE_BIN) return process.env.RAGSTACK_ENGINE_BIN;
    const gopath = spawnSync("go", ["env", "GOPATH"], { encoding: "utf8" }).stdout.trim() || path.join(os.homedir(), "go");
    return path.join(gopath, "pulumi-engine", "bin");
}

/**
 * Repairs what a killed CLI can leave in a local file backend (`<backend>/.pulumi`): the
 * checkpoint's attributes sidecar (`<stack>.json.attrs`) created but not yet written, which every
 * later command reports as `failed to load checkpoint: EOF`, and the temporary file of a
 * checkpoint write that was never renamed into place. The checkpoint itself is then the last
 * complete one (the write is a rename). Only zero-byte sidecars and `*.tmp` files are removed;
 * returns them, relative to the backend folder.
 */
export function repairKilledWrite(backendDir: string): string[] {
    const removed: string[] = [];
    const walk = (dir: string) => {
        if (!fs.existsSync(dir)) return;
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if ((e.name.endsWith(".attrs") && fs.statSync(p).size === 0) || e.name.endsWith(".tmp")) {
                fs.rmSync(p);
                removed.push(path.relative(backendDir, p));
            }
        }
    };
    walk(path.join(backendDir, ".pulumi"));
    return removed.sort();
}

export interface CommandResult {
    code: number | null;
    stdout: string;
    stderr: string;
    ms: number;
}

/** One engine event of `--json` streaming output. */
export type EngineEvent = Record<string, any>;

export interface PolicyFinding {
    policy: string;
    /** Last segment of the URN (the resource's name), or null for the stack. */
    resource: string | null;
    urn: string | null;
    enforcementLevel: string;
    message: string;
}

export interface PreviewResult extends CommandResult {
    events: EngineEvent[];
    policy: PolicyFinding[];
    /** Steps by operation (create, update, replace, same, ...): resource names. */
    steps: Record<string, string[]>;
    errors: string[];
}

export class Workspace {
    readonly root: string;
    readonly project: string;
    readonly env: NodeJS.ProcessEnv;

    constructor(prefix = "ragstack-engine-") {
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
        this.project = path.join(this.root, "project");
        for (const d of ["state", "home", "project/tools"]) fs.mkdirSync(path.join(this.root, d), { recursive: true });
        const repo = repoRoot();
        for (const f of fs.readdirSync(repo).filter((f) => /^Pulumi(\.[^.]+)?\.yaml$/.test(f) || f === "package.json"))
            fs.copyFileSync(path.join(repo, f), path.join(this.project, f));
        fs.symlinkSync(path.join(repo, "node_modules"), path.join(this.project, "node_modules"));
        fs.symlinkSync(path.join(repo, "dist"), path.join(this.project, "dist"));
        fs.symlinkSync(path.join(repo, "tools", "entry"), path.join(this.project, "tools", "entry"));
        this.env = {
            ...process.env,
            PATH: `${engineBin()}${path.delimiter}${process.env.PATH}`,
            PULUMI_BACKEND_URL: `file://${path.join(this.root, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(24).toString("base64"),
            PULUMI_HOME: path.join(this.root, "home"),
            PULUMI_SKIP_UPDATE_CHECK: "1",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "1",
            PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "1",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "1",
        };
        delete this.env.PULUMI_ACCESS_TOKEN;
    }

    /**
     * Runs `pulumi <args>` in the project copy, or in another program folder of the workspace
     * (`cwd`), with the workspace's environment (or `env`).
     */
    pulumi(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CommandResult {
        const t0 = Date.now();
        const r = spawnSync("pulumi", [...args, "--non-interactive"], {
            cwd: opts.cwd ?? this.project,
            env: opts.env ?? this.env,
            encoding: "utf8",
            maxBuffer: 512 * 1024 * 1024,
            timeout: opts.timeoutMs ?? 10 * 60 * 1000,
        });
        if (r.error) throw r.error;
        return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
    }

    /** Like `pulumi`, but throws with the output when the command fails. */
    must(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CommandResult {
        const r = this.pulumi(args, opts);
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${r.code}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
        return r;
    }

    /** `pulumi stack init` + the config this check runs with. */
    initStack(stack: string, config: Record<string, string>): void {
        this.must(["stack", "init", stack]);
        for (const [k, v] of Object.entries(config)) this.must(["config", "set", "--stack", stack, k.includes(":") ? k : `rag-platform:${k}`, v]);
        // Another target than the file's own: the file's keys are kept for its own target (retargetConfig).
        const original = path.join(repoRoot(), `Pulumi.${stack}.yaml`);
        const target = config.target ?? config["rag-platform:target"];
        if (target !== undefined && config.otherTargets === undefined && fs.existsSync(original)) {
            const values = (YAML.parse(fs.readFileSync(original, "utf8"))?.config ?? {}) as Record<string, unknown>;
            const own = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
            const others = retargetConfig(own, "rag-platform", target)["rag-platform:otherTargets"];
            if (others)
                (JSON.parse(others) as string[]).forEach((t, i) =>
                    this.must(["config", "set", "--stack", stack, "--path", `rag-platform:otherTargets[${i}]`, t]),
                );
        }
    }

    stackFile(stack: string): string {
        return path.join(this.project, `Pulumi.${stack}.yaml`);
    }

    /** Runs an engine command with streaming JSON events (preview, up, destroy, refresh). */
    events(stack: string, command: string[], extra: string[] = []): PreviewResult {
        const r = this.pulumi([...command, "--stack", stack, "--json", ...extra]);
        const events: EngineEvent[] = [];
        for (const line of r.stdout.split("\n")) {
            const t = line.trim();
            if (!t.startsWith("{")) continue;
            try {
                events.push(JSON.parse(t));
            } catch {
                // a non-event line
            }
        }
        const policy: PolicyFinding[] = events
            .filter((e) => e.policyEvent)
            .map((e) => {
                const p = e.policyEvent;
                const lines = String(p.message ?? "").split("\n");
                return {
                    policy: p.policyName,
                    urn: p.resourceUrn ?? null,
                    resource: p.resourceUrn ? String(p.resourceUrn).split("::").pop()! : null,
                    enforcementLevel: p.enforcementLevel,
                    // The engine prefixes the policy's description.
                    message: (lines.length > 1 ? lines.slice(1) : lines).join("\n").trim(),
                };
            });
        const steps: Record<string, string[]> = {};
        for (const e of events) {
            const m = e.resourcePreEvent?.metadata;
            if (!m || m.type === "pulumi:pulumi:Stack") continue;
            (steps[m.op] ??= []).push(String(m.urn).split("::").pop()!);
        }
        const errors = events
            .filter((e) => e.diagnosticEvent?.severity === "error")
            .map((e) => String(e.diagnosticEvent.message).trim())
            .filter((m) => m !== "");
        return { ...r, events, policy, steps, errors };
    }

    /** Sets config keys of a stack for the duration of `f`, then restores its stack file. */
    async withConfig<T>(stack: string, set: Record<string, string>, f: () => Promise<T> | T): Promise<T> {
        const file = this.stackFile(stack);
        const saved = fs.readFileSync(file, "utf8");
        try {
            for (const [k, v] of Object.entries(set)) this.must(["config", "set", "--stack", stack, k.includes(":") ? k : `rag-platform:${k}`, v]);
            return await f();
        } finally {
            fs.writeFileSync(file, saved);
        }
    }

    /** Sets config keys of a stack (kept). */
    setConfig(stack: string, set: Record<string, string>): void {
        for (const [k, v] of Object.entries(set)) this.must(["config", "set", "--stack", stack, k.includes(":") ? k : `rag-platform:${k}`, v]);
    }

    /** Removes the temp folder. */
    dispose(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
