/**
 * npm run engine:check — the Kubernetes target through the real Pulumi engine (CLI, Node.js
 * language host, Kubernetes and random providers built by tools/engine/build.sh), against a local
 * file backend with render-to-directory, the real policy pack and each environment's pack config:
 *
 *  1. `pulumi preview` and `pulumi up`: no error, no mandatory violation;
 *  2. the rendered manifests equal the offline plan's, object for object (Secret data aside);
 *  3. for every rule stack config can trigger, the real analyzer and the offline evaluator give
 *     the same findings on the same change, and a mandatory one fails the real preview;
 *  4. a rule exception in the pack config is reported alike by both;
 *  5. day two: an image change is one update, a rotation date replaces the generated credentials, a change that replaces protected data is refused,
 *     destroy of production stops at protected objects, refresh and a second preview change
 *     nothing, stack outputs hold no secret value;
 *  6. bad stack config fails the real preview with the offline plan's message;
 *  7. a team's program changes what a component renders through Pulumi `transforms`;
 *  8. the component package (provider/): its schema, and a Pulumi YAML program that renders the
 *     TypeScript program's manifests for the same settings (tools/engine/package.ts);
 *  9. upgrade: staging and production deployed by the previous release (`npm pack` of it), then
 *     previewed with the current code on the same stack files: no stateful replace or delete
 *     without its CHANGELOG entry, every change listed (tools/engine/upgrade.ts).
 *
 * RAGSTACK_ENGINE_STEPS (comma-separated) runs only some parts: environments (1-2 and the
 * package, 8), verdicts (3-4), bad-input (6), day-two (5), transforms (7), upgrade (9); verdicts,
 * bad-input and day-two need environments (they preview its stacks). Default: all.
 *
 * Prints one line per step with its wall time; exits 1 when any step fails.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { kubernetesObjects, plan, PlanOptions } from "../../testing/plan";
import { runCli } from "../../testing/plan/cli";
import { repoRoot } from "../../testing/paths";
import { firstDifference, keyOf, renderedObjects, withoutSecretData } from "./manifests";
import { checkPackage } from "./package";
import { checkUpgrade } from "./upgrade";
import { Steps } from "./steps";
import { PolicyFinding, Workspace } from "./workspace";

const steps = new Steps();
const step = (name: string, f: () => Promise<string | void> | string | void) => steps.run(name, f);

const repo = repoRoot();
const packDir = path.join(repo, "policies");
const packConfig = (env: string) => path.join(repo, "policies", "config", `${env}.json`);
const policyArgs = (configFile: string, pack = packDir) => ["--policy-pack", pack, "--policy-pack-config", configFile];
/** The same pack as an executable analyzer (policies/ragstack-policies). */
const packExecutable = path.join(packDir, "ragstack-policies");

async function offlineObjects(opts: PlanOptions): Promise<Map<string, any>> {
    const r = await plan(opts);
    return new Map(kubernetesObjects(r.records).map((o) => [keyOf(o.object), o.object]));
}

/** Findings as comparable strings: policy, resource name, level (the exceptions report aside). */
function findingSet(findings: { policy: string; resource: string | null; enforcementLevel: string }[]): string[] {
    return [
        ...new Set(
            findings
                .filter((f) => f.policy !== "ragstack-policy-exceptions-report")
                .map((f) => `${f.enforcementLevel} ${f.policy} @ ${f.resource ?? "(stack)"}`),
        ),
    ].sort();
}

/** The offline plan's findings for the same stack, config and pack config. */
async function offlineFindings(stack: string, set: Record<string, string>, configFile: string) {
    const cli = await runCli(["--stack", stack, "--json", "--policy-config", configFile, ...Object.entries(set).flatMap(([k, v]) => ["--set", `${k}=${v}`])]);
    const doc = JSON.parse(cli.stdout);
    if (doc.error) throw new Error(`offline plan failed: ${doc.error.message}`);
    const findings = (doc.policy.violations as any[]).map((v) => ({
        policy: v.policy,
        resource: v.urn ? String(v.urn).split("::").pop()! : null,
        enforcementLevel: v.enforcementLevel,
        message: v.message,
    }));
    return { code: cli.code, findings };
}

function realFindings(findings: PolicyFinding[]): PolicyFinding[] {
    // "can't run policy ... during preview" is the engine's undecided report, compared separately.
    return findings.filter((f) => !/can't run policy/.test(f.message));
}

/** The web front end on (Kubernetes): every stack of the check deploys it, and the offline plans include it. */
const FRONTEND_SET = {
    frontendEnabled: "true",
    frontendImage: "ghcr.io/example-gov/rag-frontend:1.0.0@sha256:85113ed2ff8902486e8d5bc9925299cc0f654c56ba66622033f4696162d3525a",
};

const withConfig = <T>(ws: Workspace, stack: string, set: Record<string, string>, f: () => Promise<T> | T) => ws.withConfig(stack, set, f);

async function checkEnvironment(ws: Workspace, env: "staging" | "production"): Promise<void> {
    const renderDir = path.join(ws.root, `render-${env}`);
    // Render mode with generated Secrets: the named opt-out (the check compares the rendered files).
    const base = { target: "kubernetes", k8sRenderYamlDir: renderDir, k8sAllowPlaintextRenderedSecrets: "true", ...FRONTEND_SET };
    ws.initStack(env, base);

    await step(`${env}: pulumi preview with the pack and config/${env}.json`, () => {
        const r = ws.events(env, ["preview"], policyArgs(packConfig(env)));
        assert.strictEqual(r.code, 0, `exit ${r.code}: ${r.errors.join("; ")}\n${r.stderr.slice(-2000)}`);
        const mandatory = r.policy.filter((p) => p.enforcementLevel === "mandatory");
        assert.deepStrictEqual(mandatory, [], "mandatory violations");
        return `${(r.steps.create ?? []).length} to create, ${r.policy.length} advisory findings`;
    });

    await step(`${env}: pulumi up with the pack`, () => {
        const r = ws.events(env, ["up", "--yes", "--skip-preview"], policyArgs(packConfig(env)));
        assert.strictEqual(r.code, 0, `exit ${r.code}: ${r.errors.join("; ")}\n${r.stderr.slice(-2000)}`);
        return `${(r.steps.create ?? []).length} created`;
    });

    await step(`${env}: rendered manifests equal the offline plan's, object for object`, async () => {
        const rendered = renderedObjects(renderDir);
        const offline = await offlineObjects({ stack: env, set: base });
        const missing = [...offline.keys()].filter((k) => !rendered.has(k));
        const extra = [...rendered.keys()].filter((k) => !offline.has(k));
        assert.deepStrictEqual({ missing, extra }, { missing: [], extra: [] }, "the same set of objects");
        const different = [...offline.keys()]
            .map((k) => [k, firstDifference(withoutSecretData(rendered.get(k)), withoutSecretData(offline.get(k)))] as const)
            .filter(([, d]) => d);
        assert.deepStrictEqual(
            different.map(([k, d]) => `${k} ${d}`),
            [],
            "the same content",
        );
        return `${offline.size} objects equal`;
    });

    // `pulumi refresh` reads objects back from a cluster; with render-to-directory there is none
    // (the provider fails "unreachable cluster"), so refresh is checked by cluster:check.
    await step(`${env}: a second preview changes nothing`, () => {
        const p = ws.pulumi(["preview", "--stack", env, "--expect-no-changes", ...policyArgs(packConfig(env))]);
        assert.strictEqual(p.code, 0, `preview --expect-no-changes: ${p.stdout.slice(-2000)}${p.stderr.slice(-1000)}`);
    });

    await step(`${env}: stack outputs hold references only, no secret value`, () => {
        const outputs = ws.must(["stack", "output", "--stack", env, "--json"]).stdout;
        const state = JSON.parse(ws.must(["stack", "export", "--stack", env, "--show-secrets"]).stdout);
        const secrets: string[] = [];
        for (const r of state.deployment.resources ?? []) {
            if (!String(r.type).startsWith("random:")) continue;
            // A secret output is an envelope whose plaintext is the JSON of the value.
            const v = r.outputs?.result;
            if (typeof v === "string") secrets.push(v);
            else if (typeof v?.plaintext === "string") secrets.push(JSON.parse(v.plaintext));
        }
        assert.ok(secrets.length >= 2, `found ${secrets.length} generated secrets in the state`);
        for (const s of secrets) assert.ok(!outputs.includes(s), "a generated secret reached the stack outputs");
        assert.ok(!outputs.includes("[secret]"), "an output is a secret");
        return `${Object.keys(JSON.parse(outputs)).length} outputs, ${secrets.length} secrets kept out`;
    });
}

/** Stack-config changes that trigger rules, each compared between the real analyzer and the offline evaluator. */
const VERDICT_CASES: {
    name: string;
    stack: "staging" | "production";
    set: Record<string, string>;
    config?: Record<string, unknown>;
    expect: string[];
    executableToo?: boolean;
}[] = [
    {
        name: "production API below two replicas",
        stack: "production",
        set: { apiMinReplicas: "1" },
        expect: ["kubernetes-apps-deployment-require-replicas"],
        executableToo: true,
    },
    {
        name: "production Postgres with one instance",
        stack: "production",
        set: { dbMultiAz: "false", dbReadReplicas: "0" },
        expect: ["kubernetes-cnpg-cluster-require-instances"],
    },
    {
        name: "images from a registry the pack does not allow",
        stack: "production",
        // The image's owner is the stack here: with apiImageManagedByCi (production's file) the engine keeps the
        // deployed image, which the offline plan (no state) cannot know.
        set: { k8sImageRegistry: "registry.other.example", apiImageManagedByCi: "false" },
        config: { "kubernetes-core-pod-require-allowed-registries": { enforcementLevel: "mandatory", allowedRegistries: ["registry.internal.example.gov"] } },
        expect: ["kubernetes-core-pod-require-allowed-registries"],
    },
    { name: "staging under the production pack config", stack: "staging", set: {}, expect: [] },
];

async function checkVerdicts(ws: Workspace): Promise<void> {
    for (const c of VERDICT_CASES) {
        await step(`verdicts: ${c.name}: the real analyzer and the offline plan agree`, async () => {
            const configFile = path.join(ws.root, `pack-${c.name.replace(/\W+/g, "-")}.json`);
            fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(packConfig("production"), "utf8")), ...(c.config ?? {}) }, null, 2));
            const real = await withConfig(ws, c.stack, c.set, () => ws.events(c.stack, ["preview"], policyArgs(configFile)));
            const offline = await offlineFindings(
                c.stack,
                {
                    target: "kubernetes",
                    k8sRenderYamlDir: path.join(ws.root, `render-${c.stack}`),
                    k8sAllowPlaintextRenderedSecrets: "true",
                    ...FRONTEND_SET,
                    ...c.set,
                },
                configFile,
            );
            const realSet = findingSet(realFindings(real.policy));
            const offlineSet = findingSet(offline.findings);
            assert.deepStrictEqual(realSet, offlineSet, "the same findings (level, policy, resource)");
            for (const e of c.expect)
                assert.ok(
                    realSet.some((f) => f.startsWith(`mandatory ${e} @`)),
                    `${e} fires, mandatory`,
                );
            const mandatory = realSet.some((f) => f.startsWith("mandatory "));
            assert.strictEqual(real.code !== 0, mandatory, `the real preview ${mandatory ? "fails" : "passes"}`);
            assert.strictEqual(offline.code, mandatory ? 1 : 0, "the offline plan exits alike");
            if (mandatory) {
                const text = `${real.stdout}${real.stderr}`;
                for (const e of c.expect) assert.ok(text.includes(e), `the failing preview names ${e}`);
            }
            if (c.executableToo) {
                const exe = await withConfig(ws, c.stack, c.set, () => ws.events(c.stack, ["preview"], policyArgs(configFile, packExecutable)));
                assert.deepStrictEqual(findingSet(realFindings(exe.policy)), realSet, "the executable form of the pack reports the same");
                assert.strictEqual(exe.code, real.code);
            }
            return `${realSet.length} findings, ${mandatory ? "refused" : "passed"} by both${c.executableToo ? " (and by the executable pack)" : ""}`;
        });
    }

    await step("exceptions: a rule exception is reported alike by the real analyzer and the offline plan", async () => {
        const exception = { resource: "rag-k8s-api-hpa", reason: "single replica during the migration window", ticket: "RAG-142", expires: "2099-12-31" };
        const configFile = path.join(ws.root, "pack-exception.json");
        fs.writeFileSync(
            configFile,
            JSON.stringify({
                ...JSON.parse(fs.readFileSync(packConfig("production"), "utf8")),
                "kubernetes-apps-deployment-require-replicas": { enforcementLevel: "mandatory", exceptions: [exception] },
            }),
        );
        const set = { apiMinReplicas: "1" };
        const real = await withConfig(ws, "production", set, () => ws.events("production", ["preview"], policyArgs(configFile)));
        const offline = await offlineFindings(
            "production",
            {
                target: "kubernetes",
                k8sRenderYamlDir: path.join(ws.root, "render-production"),
                k8sAllowPlaintextRenderedSecrets: "true",
                ...FRONTEND_SET,
                ...set,
            },
            configFile,
        );
        assert.strictEqual(real.code, 0, `the exception lets the real preview pass: ${real.errors.join("; ")}`);
        assert.strictEqual(offline.code, 0, "and the offline plan");
        const report = (findings: { policy: string; message: string }[]) =>
            findings.filter((f) => f.policy === "ragstack-policy-exceptions-report").map((f) => f.message.replace(/ on urn:\S+: "/, ': "'));
        const realReport = report(real.policy);
        assert.deepStrictEqual(realReport, report(offline.findings), "the same exceptions report");
        assert.deepStrictEqual(realReport, [
            `exception used: kubernetes-apps-deployment-require-replicas: "${exception.reason}" (ticket ${exception.ticket}), expires ${exception.expires}`,
        ]);
        return "suppressed and reported by both";
    });
}

async function checkDayTwo(ws: Workspace): Promise<void> {
    const env = "production";
    await step("day two: a new API image previews as exactly one update, no replacement; with apiImageManagedByCi, as no change", async () => {
        // By digest: production refuses an image it sets by tag alone (kubernetes-core-pod-require-image-digests).
        const image = { apiImage: "ghcr.io/example-gov/rag-api:1.4.3@sha256:3c609d0dbf0d0f1195aa668e3fe400edabc291333c907b0dd1477acd05a827ee" };
        const r = await withConfig(ws, env, { ...image, apiImageManagedByCi: "false" }, () => ws.events(env, ["preview"], policyArgs(packConfig(env))));
        assert.strictEqual(r.code, 0, r.errors.join("; "));
        const changed = Object.entries(r.steps).filter(([op]) => op !== "same");
        assert.deepStrictEqual(changed, [["update", ["rag-k8s-api-deployment"]]]);
        // Production's file says the pipeline owns the image: pulumi up must not roll back what it deployed.
        const owned = await withConfig(ws, env, image, () => ws.events(env, ["preview"], policyArgs(packConfig(env))));
        assert.strictEqual(owned.code, 0, owned.errors.join("; "));
        assert.deepStrictEqual(
            Object.entries(owned.steps).filter(([op]) => op !== "same"),
            [],
            "apiImageManagedByCi: the new image is the pipeline's",
        );
        return "1 update (the API Deployment); none while CI owns the image";
    });

    await step("day two: a rotation date replaces every generated credential and its Secrets, and rolls only their readers", async () => {
        const r = await withConfig(ws, env, { secretsRotatedOn: "2026-11-30" }, () => ws.events(env, ["preview"], policyArgs(packConfig(env))));
        assert.strictEqual(r.code, 0, r.errors.join("; "));
        const replaced = new Set([...(r.steps.replace ?? []), ...(r.steps["create-replacement"] ?? []), ...(r.steps["delete-replaced"] ?? [])]);
        const updated = new Set(r.steps.update ?? []);
        const other = Object.keys(r.steps).filter((op) => !["same", "replace", "create-replacement", "delete-replaced", "update"].includes(op));
        assert.deepStrictEqual(other, [], "no create or delete");
        const passwords = [...replaced].filter((n) => /-password$/.test(n));
        const secrets = [...replaced].filter((n) => /-credentials-(app|data)$/.test(n));
        assert.ok(passwords.length >= 3, `generated passwords replaced: ${passwords.join(", ")}`);
        assert.ok(secrets.length >= 5, `Secrets replaced (their creation time is the age the alert reads): ${secrets.join(", ")}`);
        assert.deepStrictEqual(
            [...replaced].filter((n) => !passwords.includes(n) && !secrets.includes(n)),
            [],
            "nothing else replaced",
        );
        for (const reader of ["rag-k8s-api-deployment", "rag-k8s-valkey-primary", "rag-k8s-valkey-sentinel"]) assert.ok(updated.has(reader), `${reader} rolls`);
        return `${passwords.length} passwords and ${secrets.length} Secrets replaced, ${updated.size} updates (${[...updated].join(", ")})`;
    });

    await step("day two: a change that replaces protected data is shown as a replace and refused", async () => {
        const r = await withConfig(ws, env, { k8sStorageClass: "ceph-rbd-other" }, () => ws.events(env, ["preview"], policyArgs(packConfig(env))));
        assert.notStrictEqual(r.code, 0, "the preview must fail");
        const text = `${r.errors.join("\n")}\n${r.stdout}\n${r.stderr}`;
        assert.match(text, /protect/i, "refused because of protect");
        const replaced = [...(r.steps.replace ?? []), ...(r.steps["create-replacement"] ?? []), ...(r.steps["delete-replaced"] ?? [])];
        return `refused (${replaced.length ? `replace of ${[...new Set(replaced)].join(", ")}` : "protected"})`;
    });

    await step("day two: destroy of production is refused for protected objects, which survive", () => {
        const before = JSON.parse(ws.must(["stack", "export", "--stack", env]).stdout).deployment.resources.filter((r: any) => r.protect);
        assert.ok(before.length >= 3, `${before.length} protected resources`);
        const r = ws.pulumi(["destroy", "--stack", env, "--yes"]);
        assert.notStrictEqual(r.code, 0, "destroy must fail");
        assert.match(`${r.stdout}${r.stderr}`, /protect/i);
        const after = JSON.parse(ws.must(["stack", "export", "--stack", env]).stdout).deployment.resources.filter((x: any) => x.protect);
        assert.deepStrictEqual(after.map((x: any) => x.urn).sort(), before.map((x: any) => x.urn).sort());
        return `${after.length} protected objects survive`;
    });

    await step("day two: staging destroys cleanly and leaves nothing in the state", () => {
        ws.must(["destroy", "--stack", "staging", "--yes"]);
        const left = JSON.parse(ws.must(["stack", "export", "--stack", "staging"]).stdout).deployment.resources ?? [];
        assert.deepStrictEqual(left, []);
    });
}

async function checkBadInput(ws: Workspace): Promise<void> {
    for (const [name, set] of [
        ["a rate limit below what the edge accepts", { wafRateLimitPer5Min: "50" }],
        ["a misspelt key", { dbMultiAZ: "true" }],
        [
            "rendering generated passwords in plaintext without the opt-out",
            { k8sAllowPlaintextRenderedSecrets: "false", k8sRenderYamlDir: "/tmp/ragstack-render-refused" },
        ],
    ] as const) {
        await step(`bad input: ${name} fails the real preview with the offline plan's message`, async () => {
            const offline = await runCli(["--stack", "staging", "--target", "kubernetes", ...Object.entries(set).flatMap(([k, v]) => ["--set", `${k}=${v}`])]);
            assert.strictEqual(offline.code, 2);
            const message = offline.stderr.replace(/^plan: /, "").trim();
            // The plan says where the value came from (--set, a stack file); the program says "stack <name>".
            const lastLine = message
                .split("\n")
                .pop()!
                .replace(/^\s*-\s*/, "");
            const real = await withConfig(ws, "staging", set, () => ws.pulumi(["preview", "--stack", "staging"]));
            assert.notStrictEqual(real.code, 0);
            const text = `${real.stdout}\n${real.stderr}`;
            assert.ok(text.includes(lastLine.split("; allowed:")[0]), `the real preview names it: ${lastLine}\n---\n${text.slice(-1500)}`);
            assert.ok(text.includes(lastLine.split("; allowed:")[1]?.trim() ?? ""), "and what is allowed");
            assert.doesNotMatch(text, /\n\s+at .+\.js:\d+:\d+/, "no stack trace");
            return lastLine.slice(0, 100);
        });
    }
}

/**
 * A team's own program (outside this repository's) that changes what a component renders through
 * Pulumi `transforms`, the escape hatch: the engine applies the component's transform to every
 * child. The mocks do not run transforms (the engine does), so the real engine is the test.
 */
async function checkTransforms(ws: Workspace): Promise<void> {
    await step("transforms: a transform on a component reaches every child it renders (a team's label on each Kubernetes object)", () => {
        const dir = path.join(ws.root, "transforms");
        const render = path.join(ws.root, "render-transforms");
        fs.mkdirSync(dir, { recursive: true });
        fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: transforms-check\nruntime: nodejs\nmain: index.js\n");
        fs.writeFileSync(
            path.join(dir, "index.js"),
            `"use strict";
const k8s = require("@pulumi/kubernetes");
const { kubernetes } = require(${JSON.stringify(path.join(repo, "dist", "components", "index.js"))});
const label = "team.example.gov/cost-center";
// Every Kubernetes object the component creates gets the team's label (nothing the component exposes).
const teamLabel = (args) =>
    args.type.startsWith("kubernetes:") && args.props.metadata
        ? { props: { ...args.props, metadata: { ...args.props.metadata, labels: { ...(args.props.metadata.labels || {}), [label]: "cc-7001" } } }, opts: args.opts }
        : undefined;
module.exports = async () => {
    const provider = new k8s.Provider("render", { renderYamlToDirectory: ${JSON.stringify(render)} });
    new kubernetes.Llm(
        "team-llm",
        { provider, environment: "staging", namespace: "team-llm", image: "ollama/ollama:0.12.6", models: ["llama3.1:8b"] },
        { transforms: [teamLabel] },
    );
};
`,
        );
        ws.must(["stack", "init", "team"], { cwd: dir });
        ws.must(["up", "--yes", "--stack", "team"], { cwd: dir });
        const objects = [...renderedObjects(render).values()];
        assert.ok(objects.length >= 3, `${objects.length} objects rendered`);
        const unlabelled = objects.filter((o) => o.metadata?.labels?.["team.example.gov/cost-center"] !== "cc-7001").map(keyOf);
        assert.deepStrictEqual(unlabelled, [], "every rendered object carries the transform's label");
        return `${objects.length} objects, each labelled by the transform`;
    });
}

/** The parts of the check, in order. */
export const ENGINE_PARTS = ["environments", "verdicts", "bad-input", "day-two", "transforms", "upgrade"] as const;

/** The parts RAGSTACK_ENGINE_STEPS selects (all when unset or empty); an unknown name is refused, naming the allowed ones. */
export function enginePartsSelected(value: string | undefined): Set<string> {
    const names = (value ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const unknown = names.filter((n) => !(ENGINE_PARTS as readonly string[]).includes(n));
    if (unknown.length) throw new Error(`RAGSTACK_ENGINE_STEPS: unknown part ${unknown.join(", ")}; allowed: ${ENGINE_PARTS.join(", ")}`);
    const dependent = names.filter((n) => ["verdicts", "bad-input", "day-two"].includes(n));
    if (dependent.length && !names.includes("environments"))
        throw new Error(`RAGSTACK_ENGINE_STEPS: ${dependent.join(", ")} need environments (they preview the stacks it deploys)`);
    return new Set(names.length ? names : ENGINE_PARTS);
}

async function main(): Promise<void> {
    const t0 = Date.now();
    const ws = new Workspace();
    process.stdout.write(`engine check in ${ws.root}\n${ws.must(["version"]).stdout.trim()} (pulumi)\n`);
    const only = enginePartsSelected(process.env.RAGSTACK_ENGINE_STEPS);
    if (only.size < ENGINE_PARTS.length) process.stdout.write(`RAGSTACK_ENGINE_STEPS: only ${[...only].join(", ")}\n`);
    try {
        if (only.has("environments")) {
            await checkEnvironment(ws, "staging");
            await checkPackage(ws, step, "staging", path.join(ws.root, "render-staging"));
            await checkEnvironment(ws, "production");
        }
        if (only.has("verdicts")) await checkVerdicts(ws);
        if (only.has("bad-input")) await checkBadInput(ws);
        if (only.has("day-two")) await checkDayTwo(ws);
        if (only.has("transforms")) await checkTransforms(ws);
        if (only.has("upgrade")) await checkUpgrade(step);
    } finally {
        if (steps.failed.length === 0 && !process.env.RAGSTACK_KEEP_WORKSPACE) ws.dispose();
        else process.stdout.write(`workspace kept for inspection: ${ws.root}\n`);
    }
    steps.finish("engine check", t0);
}

if (require.main === module)
    main().catch((e) => {
        process.stderr.write(`engine check: ${(e as Error).stack ?? e}\n`);
        process.exitCode = 1;
    });
