/**
 * The engine check's upgrade step (issue 28): Kubernetes staging and production deployed by the
 * previous release (tools/previous-release.ts: `npm pack` of its tree and its own program) into a
 * local file backend with render-to-directory, then `pulumi preview` with the current code on the
 * same stack files. It fails on a replace or delete of a stateful resource (tools/upgrade.ts: CNPG
 * clusters and databases, PVCs, StatefulSets with claim templates, Secrets holding generated
 * credentials, namespaces, the generated values) unless CHANGELOG.md's "Changed (breaking)" names
 * it with an alias or migration note (the step names the entry), and prints every other change.
 * Keys the CHANGELOG declares a team must add when upgrading are added to the stack file first
 * (stackFileMigration), as a team would.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { retargetConfig } from "../../environments/config";
import { repoRoot } from "../../testing/paths";
import { buildPrevious, PreviousRelease } from "../previous-release";
import {
    breakingEntries,
    declaringEntry,
    formatReport,
    readChangelog,
    stackFileMigration,
    statefulRule,
    UpgradeChange,
    UpgradeReport,
    UpgradeResource,
    urnName,
} from "../upgrade";
import { EngineEvent, Workspace } from "./workspace";

const PROJECT = "rag-platform";
type Step = (name: string, f: () => Promise<string | void> | string | void) => Promise<boolean>;

/** A stack file's config as `project:key` -> string (lists and objects as JSON). */
function fileConfig(file: string): Record<string, string> {
    const values = (YAML.parse(fs.readFileSync(file, "utf8"))?.config ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** Sets `config` on a stack (lists by path, as `pulumi config set --path`), in program folder `cwd`. */
function setConfig(ws: Workspace, cwd: string, stack: string, config: Record<string, string>): void {
    for (const [k, v] of Object.entries(config)) {
        const key = k.includes(":") ? k : `${PROJECT}:${k}`;
        const list = v.startsWith("[") ? (JSON.parse(v) as unknown[]) : undefined;
        if (list && list.every((x) => typeof x === "string")) {
            ws.pulumi(["config", "rm", "--stack", stack, key], { cwd }); // absent: nothing to remove
            list.forEach((x, i) => ws.must(["config", "set", "--stack", stack, "--path", `${key}[${i}]`, String(x)], { cwd }));
        } else ws.must(["config", "set", "--stack", stack, key, v], { cwd });
    }
}

/** The program folder of the previous release inside the workspace (a copy: `stack init` writes stack files). */
function previousProject(ws: Workspace, prev: PreviousRelease): string {
    const dir = path.join(ws.root, "previous");
    if (fs.existsSync(dir)) return dir;
    fs.mkdirSync(dir);
    for (const f of fs.readdirSync(prev.program).filter((f) => /^Pulumi(\.[^.]+)?\.yaml$/.test(f)))
        fs.copyFileSync(path.join(prev.program, f), path.join(dir, f));
    fs.copyFileSync(path.join(prev.program, "index.js"), path.join(dir, "index.js"));
    fs.symlinkSync(path.join(prev.program, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

/** The resources of a stack's state (what the previous release deployed). */
function stateResources(ws: Workspace, cwd: string, stack: string): Map<string, UpgradeResource> {
    const state = JSON.parse(ws.must(["stack", "export", "--stack", stack], { cwd }).stdout);
    return new Map(
        ((state.deployment.resources ?? []) as any[]).map((r) => [
            String(r.urn),
            {
                urn: String(r.urn),
                type: String(r.type),
                inputs: (r.inputs ?? {}) as Record<string, unknown>,
                dependencies: (r.dependencies ?? []) as string[],
                aliases: [],
            },
        ]),
    );
}

/** The preview's steps as the upgrade report: stateful replace/delete first (with their entry), every other change listed. */
export function reportFromPreview(events: EngineEvent[], before: Map<string, UpgradeResource>, changelog: string): UpgradeReport {
    const entries = breakingEntries(changelog);
    const breaking: UpgradeChange[] = [];
    const other: UpgradeChange[] = [];
    const seen = new Set<string>();
    // A replacement is one `replace` step and its two halves (create-replacement, delete-replaced): one line.
    const replaced = new Set(events.filter((e) => e.resourcePreEvent?.metadata?.op === "replace").map((e) => String(e.resourcePreEvent.metadata.urn)));
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || m.op === "same" || m.type === "pulumi:pulumi:Stack") continue;
        const urn = String(m.urn);
        if (replaced.has(urn) && m.op !== "replace") continue;
        const key = `${m.op} ${urn}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const old = before.get(urn);
        const rule = old ? statefulRule(old) : undefined;
        const keys = [...new Set([...((m.diffs as string[]) ?? []), ...((m.keys as string[]) ?? [])])].join(", ");
        const change: UpgradeChange = {
            op: m.op === "create" ? "create" : m.op === "delete" ? "delete" : /replace/.test(m.op) ? "replace" : "update",
            urn,
            type: String(m.type),
            detail: `${m.op}${keys ? `: ${keys}` : ""}`,
        };
        if (rule && /replace|delete|discard/.test(m.op)) breaking.push({ ...change, stateful: rule.what, entry: declaringEntry(entries, urnName(urn)) });
        else other.push({ ...change, stateful: rule?.what });
    }
    return { breaking, undeclared: breaking.filter((b) => !b.entry), other };
}

/**
 * A declared rename under the real engine: a program whose stack component changes its type token
 * and whose generated password changes its name previews as no change with the declarations
 * (components/core/renames.ts, the children's aliases inherited from the component's by the
 * engine), and as a delete and a create without them.
 */
async function checkRenames(ws: Workspace, step: Step): Promise<boolean> {
    return step("upgrade: a declared rename (a component's type, a generated password's name) previews as no change; undeclared, as delete and create", () => {
        const dir = path.join(ws.root, "renames");
        fs.mkdirSync(dir, { recursive: true });
        fs.symlinkSync(path.join(repoRoot(), "node_modules"), path.join(dir, "node_modules"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: renames-check\nruntime: nodejs\nmain: index.js\n");
        fs.writeFileSync(
            path.join(dir, "index.js"),
            `"use strict";
const pulumi = require("@pulumi/pulumi");
const random = require("@pulumi/random");
const { withRenames } = require(${JSON.stringify(path.join(repoRoot(), "dist", "components", "core", "renames.js"))});
const phase = process.env.RAGSTACK_RENAME_PHASE;
const table = [
    { type: "ragstack:test:Store", part: "rag-test", from: { type: "ragstack:test:OldStore" }, since: "9.9.0", reason: "synthetic" },
    { type: "random:index/randomPassword:RandomPassword", part: "db-secret", from: { part: "db-password" }, since: "9.9.0", reason: "synthetic" },
];
module.exports = async () => {
    const before = phase === "before";
    const store = new pulumi.ComponentResource(before ? "ragstack:test:OldStore" : "ragstack:test:Store", "rag-test", {}, withRenames({}, phase === "declared" ? table : []));
    new random.RandomPassword(before ? "rag-test-db-password" : "rag-test-db-secret", { length: 24 }, { parent: store });
};
`,
        );
        const run = (phase: string, args: string[]) => ws.pulumi(args, { cwd: dir, env: { ...ws.env, RAGSTACK_RENAME_PHASE: phase } });
        ws.must(["stack", "init", "renames"], { cwd: dir });
        const up = run("before", ["up", "--yes", "--skip-preview", "--stack", "renames"]);
        assert.strictEqual(up.code, 0, `${up.stdout.slice(-2000)}${up.stderr.slice(-2000)}`);
        const ops = (phase: string) => {
            const r = run(phase, ["preview", "--json", "--stack", "renames"]);
            assert.strictEqual(r.code, 0, `${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
            const out: string[] = [];
            for (const line of r.stdout.split("\n")) {
                const m = line.trim().startsWith("{") ? (JSON.parse(line.trim()) as EngineEvent).resourcePreEvent?.metadata : undefined;
                if (m && m.type !== "pulumi:pulumi:Stack") out.push(`${m.op} ${urnName(String(m.urn))}`);
            }
            return [...new Set(out)].sort();
        };
        const declared = ops("declared");
        assert.deepStrictEqual(declared, ["same rag-test", "same rag-test-db-secret"], "declared: the state moves to the new URNs");
        const undeclared = ops("undeclared");
        for (const expected of ["create rag-test", "create rag-test-db-secret", "delete rag-test-db-password"])
            assert.ok(undeclared.includes(expected), `undeclared: ${expected} in ${undeclared.join(", ")}`);
        return `declared: ${declared.join(", ")}; undeclared: ${undeclared.join(", ")}`;
    });
}

/**
 * Deploys `env` with the previous release (its program folder in the workspace, its stack file
 * plus `base`), then previews the current code (the workspace's project) on the same stack file;
 * two steps. With an existing stack of that name (initialized by the current project), its
 * encryption salt is carried over. `where` names the target of the deploy in the step names.
 */
export async function upgradeStack(
    ws: Workspace,
    step: Step,
    prev: PreviousRelease,
    env: string,
    base: Record<string, string>,
    where: string,
): Promise<boolean> {
    const changelog = readChangelog(repoRoot(), prev.version);
    const dir = previousProject(ws, prev);
    let before = new Map<string, UpgradeResource>();
    const deployed = await step(`upgrade: ${env}: pulumi up with ${prev.ref}${where} (the packed release, its program and stack file)`, () => {
        const file = path.join(dir, `Pulumi.${env}.yaml`);
        const salt = fs.existsSync(ws.stackFile(env)) ? /^encryptionsalt:.*$/m.exec(fs.readFileSync(ws.stackFile(env), "utf8"))?.[0] : undefined;
        if (salt) fs.writeFileSync(file, `${salt}\n${fs.readFileSync(file, "utf8")}`);
        else ws.must(["stack", "init", env], { cwd: dir });
        const own = fileConfig(file);
        setConfig(ws, dir, env, base);
        const others = retargetConfig(own, PROJECT, "kubernetes")[`${PROJECT}:otherTargets`];
        if (others) setConfig(ws, dir, env, { otherTargets: others });
        const r = ws.pulumi(["up", "--yes", "--skip-preview", "--stack", env], { cwd: dir });
        assert.strictEqual(r.code, 0, `${r.stdout.slice(-3000)}${r.stderr.slice(-2000)}`);
        before = stateResources(ws, dir, env);
        const stateful = [...before.values()].filter((x) => statefulRule(x)).length;
        return `${before.size} resources, ${stateful} stateful`;
    });
    if (!deployed) return false;
    return step(
        `upgrade: ${env}: the current code previews on the same stack file${where}: no stateful replace or delete undeclared, every change listed`,
        () => {
            // The same stack file (config and encryption salt), plus the keys a declared migration adds.
            const previousFile = path.join(dir, `Pulumi.${env}.yaml`);
            fs.copyFileSync(previousFile, ws.stackFile(env));
            const previousConfig = fileConfig(previousFile);
            const current = fileConfig(path.join(repoRoot(), `Pulumi.${env}.yaml`));
            const migration = stackFileMigration(previousConfig, retargetConfig(current, PROJECT, "kubernetes"), changelog);
            setConfig(ws, ws.project, env, migration.set);
            const r = ws.events(env, ["preview", "--diff"]);
            const report = reportFromPreview(r.events, before, changelog);
            const warnings = r.events
                .filter((e) => e.diagnosticEvent?.severity === "warning" && /deprecated/.test(e.diagnosticEvent.message))
                .map((e) => String(e.diagnosticEvent.message).trim());
            const keys = Object.keys(migration.set).map((k) => k.split(":").pop());
            process.stdout.write(
                `      ${formatReport(`${prev.ref} -> current, ${env} on kubernetes${where}${keys.length ? ` (stack file migration, declared: ${keys.join(", ")})` : ""}`, report).replace(/\n/g, "\n      ")}\n`,
            );
            for (const w of new Set(warnings)) process.stdout.write(`      warning: ${w}\n`);
            assert.strictEqual(r.code, 0, `the preview failed: ${r.errors.join("; ")}\n${r.stderr.slice(-2000)}`);
            assert.deepStrictEqual(
                report.undeclared.map((b) => `${b.op} ${b.stateful} ${b.urn}: ${b.detail}`),
                [],
                'stateful resources replaced or deleted without a CHANGELOG "Changed (breaking)" entry naming them with an alias or migration note',
            );
            const declared = report.breaking.map((b) => `${urnName(b.urn)} (${b.entry!.slice(0, 60)}...)`);
            return `${report.other.length} other changes${declared.length ? `, declared: ${declared.join(", ")}` : ""}${keys.length ? `, migration: ${keys.join(", ")}` : ""}`;
        },
    );
}

/** The step that builds (or finds) the previous release. */
export async function previousReleaseStep(step: Step): Promise<PreviousRelease | undefined> {
    let prev: PreviousRelease | undefined;
    await step("upgrade: the previous release, built with npm pack (tools/previous-release.ts)", () => {
        prev = buildPrevious({ log: (l) => process.stdout.write(`      ${l}\n`) });
        return `${prev.ref} (${prev.kind}, ${prev.commit.slice(0, 12)}): ${path.basename(prev.tarball)}, sha256 ${prev.sha256.slice(0, 12)}`;
    });
    return prev;
}

export async function checkUpgrade(step: Step): Promise<void> {
    const prev = await previousReleaseStep(step);
    if (!prev) return;
    const ws = new Workspace("ragstack-upgrade-");
    let ok = true;
    try {
        ok = (await checkRenames(ws, step)) && ok;
        for (const env of ["staging", "production"] as const) {
            const base = { target: "kubernetes", k8sRenderYamlDir: path.join(ws.root, `render-${env}`), k8sAllowPlaintextRenderedSecrets: "true" };
            ok = (await upgradeStack(ws, step, prev, env, base, "")) && ok;
        }
    } finally {
        if (ok && !process.env.RAGSTACK_KEEP_WORKSPACE) ws.dispose();
        else process.stdout.write(`upgrade workspace kept for inspection: ${ws.root}\n`);
    }
}
