/**
 * Benchmark (prints figures; never a pass/fail test):
 *  1. the full offline plan of every stack x target, each in a fresh Node process: wall time and
 *     peak RSS (what a user waits for with `npm run plan`);
 *  2. policy evaluation alone over synthetic sets of 1,000 / 5,000 / 10,000 resources made by
 *     replicating the production stacks with fresh URNs: time per run and per 10,000 resources;
 *  2b. the estimate stage alone (cost on AWS, capacity on Kubernetes) on the recorded resources of
 *     each stack, against the plan's wall time of part 1;
 *  3. the real engine (when tools/engine/build.sh has built it): `pulumi preview` of staging on
 *     Kubernetes with the pack next to the offline plan of the same stack, measured in the same
 *     run, and the breakdown (program through ts-node as before / compiled; with / without the
 *     pack).
 *
 * npm run bench            (RAGSTACK_BENCH_ENGINE=0 skips part 3; RAGSTACK_BENCH_ONLY=engine runs part 3 alone)
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../testing/paths";
import { engineBin, Workspace } from "./engine/workspace";
import { buildPolicies } from "../policies/lib";
import { AnalyzedResource, evaluate } from "../policies/lib/evaluate";
import { productionConfig } from "../policies/lib";
import { toAnalyzed } from "../testing/policy";
import { runProgram, runProgramWithConfig } from "../testing/program";
import { loadStackConfig } from "../testing/plan/config";
import { capacityOf, costOf } from "../testing/plan/estimate";

function planInChild(stack: string, target: string): { ms: number; maxRssMiB: number; code: number | null } {
    const script = `
const t0 = process.hrtime.bigint();
require(${JSON.stringify(path.join(__dirname, "plan.js"))}).main(["--stack", ${JSON.stringify(stack)}, "--target", ${JSON.stringify(target)}, "--json"]).then((code) => {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stderr.write("BENCH " + JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, code }) + "\\n");
});`;
    const t0 = process.hrtime.bigint();
    const res = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const line = (res.stderr ?? "").split("\n").find((l) => l.startsWith("BENCH "));
    if (!line) throw new Error(`plan ${stack}/${target} failed: ${res.stderr}`);
    const parsed = JSON.parse(line.slice(6));
    return { ms: wall, maxRssMiB: parsed.maxRssMiB, code: parsed.code };
}

/** What the pack's timeline says of one preview (ms). */
interface PackTimeline {
    /** From the preview's start to the pack's process start. */
    processStart: number;
    /** From the process start to the analyzer serving (modules loaded, gRPC bound). */
    loading: number;
    analyze: number;
    analyzeCalls: number;
    analyzeStack: number;
    other: number;
}

/** Reads a pack timeline file (bootstrap/compiled.js) of a preview that ran from `started`. */
function packTimeline(file: string, started: number, ended: number): PackTimeline {
    const events = fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { event: string; at?: number; name?: string; start?: number; end?: number });
    const at = (e: string) => events.find((x) => x.event === e)?.at ?? NaN;
    const rpcs = events.filter((e) => e.event === "rpc" && e.end! <= ended + 1000);
    const sum = (names: string[] | null, not: string[] = []) =>
        rpcs.filter((e) => (names ? names.includes(e.name!) : !not.includes(e.name!))).reduce((n, e) => n + (e.end! - e.start!), 0);
    return {
        processStart: at("start") - started,
        loading: at("ready") - at("start"),
        analyze: sum(["analyze"]),
        analyzeCalls: rpcs.filter((e) => e.name === "analyze").length,
        analyzeStack: sum(["analyzeStack"]),
        other: sum(null, ["analyze", "analyzeStack"]),
    };
}

function replicate(base: AnalyzedResource[], n: number): AnalyzedResource[] {
    const out: AnalyzedResource[] = [];
    for (let copy = 0; out.length < n; copy++) {
        const rename = (u: string) => `${u}-copy${copy}`;
        for (const r of base) {
            if (out.length >= n) break;
            out.push({
                ...r,
                urn: rename(r.urn),
                parent: r.parent ? rename(r.parent) : undefined,
                dependencies: (r.dependencies ?? []).map(rename),
                propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, v]) => [k, v.map(rename)])),
            });
        }
    }
    return out;
}

/** `npm run plan` on an unchanged checkout against the bare compiled plan, median of `runs` each. */
function warmStart(runs = 3): void {
    const root = path.join(__dirname, "..", "..");
    const time = (cmd: string, args: string[]) => {
        const t0 = process.hrtime.bigint();
        const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
        return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const plan = ["--stack", "staging", "--json"];
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    time(npm, ["run", "--silent", "plan", "--", ...plan]); // builds if a source is newer; not counted
    const viaNpm: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
        viaNpm.push(time(npm, ["run", "--silent", "plan", "--", ...plan]));
        bare.push(time(process.execPath, [path.join(__dirname, "plan.js"), ...plan]));
    }
    const a = median(viaNpm);
    const b = median(bare);
    console.log("Main job start on an unchanged checkout (staging, --json), median of " + runs + ":");
    console.log(`  npm run plan                 ${a.toFixed(0).padStart(6)} ms`);
    console.log(`  node dist/tools/plan.js      ${b.toFixed(0).padStart(6)} ms`);
    console.log(`  ratio                        ${(a / b).toFixed(2).padStart(6)} (at most 1.5)`);
    console.log("");
}

async function main(): Promise<void> {
    if (process.env.RAGSTACK_BENCH_ONLY === "engine") return realEngine();
    warmStart();
    console.log("Offline plan, fresh process each (wall time includes Node start-up and module loading):");
    console.log("stack        target      wall ms   peak RSS MiB   exit");
    const wall: Record<string, number> = {};
    for (const stack of ["staging", "production"])
        for (const target of ["aws", "kubernetes"]) {
            const r = planInChild(stack, target);
            wall[`${stack}/${target}`] = r.ms;
            console.log(
                `${stack.padEnd(12)} ${target.padEnd(10)} ${r.ms.toFixed(0).padStart(8)} ${r.maxRssMiB.toFixed(0).padStart(14)} ${String(r.code).padStart(6)}`,
            );
        }

    console.log("");
    console.log("Estimate stage alone (cost on AWS, capacity with the nodes needed on Kubernetes), best of 5, share of the plan's wall time above:");
    console.log("stack        target      estimate ms   share of plan");
    for (const stack of ["staging", "production"])
        for (const target of ["aws", "kubernetes"]) {
            const st = loadStackConfig({ stack, target: target as "aws" | "kubernetes" });
            const run = await runProgramWithConfig(st.root, st.project, stack, st.config);
            let best = Infinity;
            for (let i = 0; i < 5; i++) {
                const t0 = process.hrtime.bigint();
                if (target === "aws") costOf(run.resources.all, st.settings, st.config);
                else capacityOf(run.resources.all, st.settings);
                best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
            }
            const share = (100 * best) / wall[`${stack}/${target}`];
            console.log(`${stack.padEnd(12)} ${target.padEnd(10)} ${best.toFixed(1).padStart(12)} ${share.toFixed(1).padStart(13)} %`);
        }

    const aws = toAnalyzed((await runProgram("production", { target: "aws" })).resources.all);
    const k8s = toAnalyzed((await runProgram("production", { target: "kubernetes" })).resources.all);
    const base = [...aws, ...k8s];
    const policies = buildPolicies();
    console.log("");
    console.log(`Policy evaluation alone (${policies.length} policies, production config), synthetic resources from the production stacks:`);
    console.log("resources   ms (best of 3)   ms per 10,000");
    for (const n of [1000, 5000, 10000]) {
        const set = replicate(base, n);
        let best = Infinity;
        for (let i = 0; i < 3; i++) {
            const t0 = process.hrtime.bigint();
            await evaluate(policies, set, productionConfig());
            best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
        }
        console.log(`${String(n).padStart(9)} ${best.toFixed(0).padStart(16)} ${((best / n) * 10000).toFixed(0).padStart(15)}`);
    }
    realEngine();
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

/** Part 3: the real preview against the offline plan, with its breakdown. */
function realEngine(runs = 5): void {
    console.log("");
    if (process.env.RAGSTACK_BENCH_ENGINE === "0" || !fs.existsSync(path.join(engineBin(), "pulumi-resource-kubernetes"))) {
        console.log("Real engine: not built (npm run engine:build), skipped.");
        return;
    }
    const ws = new Workspace("ragstack-bench-");
    try {
        // Render mode with generated Secrets: the named opt-out, as the engine check runs it.
        ws.initStack("staging", { target: "kubernetes", k8sRenderYamlDir: path.join(ws.root, "render"), k8sAllowPlaintextRenderedSecrets: "true" });
        const packConfig = ["--policy-pack-config", path.join(repoRoot(), "policies", "config", "staging.json")];
        const packFolder = ["--policy-pack", path.join(repoRoot(), "policies"), ...packConfig];
        const packExecutable = ["--policy-pack", path.join(repoRoot(), "policies", "ragstack-policies"), ...packConfig];
        // The floor: an executable pack whose one policy does nothing (tools/engine/empty-pack).
        const packEmpty = ["--policy-pack", path.join(repoRoot(), "tools", "engine", "empty-pack", "analyzer")];
        const project = fs.readFileSync(path.join(ws.project, "Pulumi.yaml"), "utf8");
        // The program as it ran before: index.ts through the language host's ts-node (type-checked).
        const viaTsNode = () => {
            for (const f of ["index.ts", "components", "environments", "facade", "analysis", "tsconfig.json"])
                if (!fs.existsSync(path.join(ws.project, f))) fs.symlinkSync(path.join(repoRoot(), f), path.join(ws.project, f));
            fs.writeFileSync(
                path.join(ws.project, "Pulumi.yaml"),
                project.replace("main: tools/entry/program.js", "main: index.ts").replace("typescript: false", "typescript: true"),
            );
        };
        const compiled = () => fs.writeFileSync(path.join(ws.project, "Pulumi.yaml"), project);
        // Each run with the pack records the pack's timeline (bootstrap/compiled.js, RAGSTACK_PACK_TIMELINE).
        const timelines: Map<string[], PackTimeline[]> = new Map([
            [packFolder, []],
            [packExecutable, []],
        ]);
        let runNo = 0;
        const time = (args: string[]) => {
            const file = path.join(ws.root, `timeline-${runNo++}.jsonl`);
            const started = Date.now();
            const r = ws.pulumi(["preview", "--stack", "staging", ...args], { env: { ...ws.env, RAGSTACK_PACK_TIMELINE: file } });
            if (r.code !== 0) throw new Error(`pulumi preview failed: ${r.stdout.slice(-1500)}${r.stderr.slice(-800)}`);
            if (timelines.has(args) && fs.existsSync(file)) timelines.get(args)!.push(packTimeline(file, started, started + r.ms));
            return r.ms;
        };
        time(packFolder); // warm-up: plugin discovery, file caches
        timelines.get(packFolder)!.length = 0;
        const variants: [string, () => void, string[]][] = [
            ["program via ts-node (before), pack folder", viaTsNode, [...packFolder]],
            ["program compiled, no pack", compiled, []],
            ["program compiled, pack folder (--policy-pack policies)", compiled, packFolder],
            ["program compiled, pack executable (policies/ragstack-policies)", compiled, packExecutable],
            ["program compiled, an empty pack (one no-op policy, executable)", compiled, packEmpty],
        ];
        // Interleaved runs: this machine's timing drifts, so each variant sees the same conditions.
        const samples = variants.map(() => [] as number[]);
        for (let i = 0; i < runs; i++)
            variants.forEach(([, setup, args], v) => {
                setup();
                samples[v].push(time(args));
            });
        compiled();
        const offline = median(Array.from({ length: runs }, () => planInChild("staging", "kubernetes").ms));
        console.log(`Real engine vs offline plan, staging on Kubernetes, median of ${runs} interleaved runs (min in brackets):`);
        const line = (name: string, ms: number, min?: number) =>
            console.log(`  ${name.padEnd(66)} ${(ms / 1000).toFixed(2).padStart(6)} s${min !== undefined ? ` (${(min / 1000).toFixed(2)})` : ""}`);
        variants.forEach(([name], v) => line(`pulumi preview, ${name}`, median(samples[v]), Math.min(...samples[v])));
        line("offline plan (npm run plan), same stack", offline);
        const [before, noPack, folder, executable, empty] = samples.map(median);
        console.log(`  ${"ratio real preview (pack folder) / offline plan".padEnd(66)} ${(folder / offline).toFixed(1).padStart(6)} x`);
        line("saved against the program through ts-node", before - folder);
        line("the pack's share (folder form)", folder - noPack);
        line("the pack's share (executable form)", executable - noPack);
        line("  of which any Node.js analyzer costs (the empty pack's share)", empty - noPack);
        line("  and this pack's rules, config and modules (executable - empty)", executable - empty);
        for (const [name, args, total] of [
            ["executable form", packExecutable, executable],
            ["folder form", packFolder, folder],
        ] as const) {
            const t = timelines.get(args)!;
            if (t.length === 0) continue;
            const m = (f: (x: PackTimeline) => number) => median(t.map(f));
            console.log(`  Where the pack's share goes (${name}, median of ${t.length} runs; the pack's own timeline, RAGSTACK_PACK_TIMELINE):`);
            const part = (what: string, ms: number) => console.log(`    ${what.padEnd(64)} ${(ms / 1000).toFixed(2).padStart(6)} s`);
            part("the pack's share (preview with it minus without)", total - noPack);
            part(
                "plugin start: preview start to the pack's process starting",
                m((x) => x.processStart),
            );
            part(
                "module loading: process start to the analyzer serving",
                m((x) => x.loading),
            );
            part(
                `per-resource analysis: ${m((x) => x.analyzeCalls)} Analyze calls, in the pack`,
                m((x) => x.analyze),
            );
            part(
                "stack analysis: AnalyzeStack, in the pack",
                m((x) => x.analyzeStack),
            );
            part(
                "other calls in the pack (Remediate, GetAnalyzerInfo, Configure…)",
                m((x) => x.other),
            );
            part("the engine's side of the calls, and what overlaps", total - noPack - m((x) => x.loading + x.analyze + x.analyzeStack + x.other));
        }
    } finally {
        ws.dispose();
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
