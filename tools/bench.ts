/**
 * Benchmark (prints figures; never a pass/fail test):
 *  1. the full offline plan of every stack x target, each in a fresh Node process: wall time and
 *     peak RSS (what a user waits for with `npm run plan`);
 *  2. policy evaluation alone over synthetic sets of 1,000 / 5,000 / 10,000 resources made by
 *     replicating the production stacks with fresh URNs: time per run and per 10,000 resources.
 *
 * npm run bench
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { buildPolicies } from "../policies/lib";
import { AnalyzedResource, evaluate } from "../policies/lib/evaluate";
import { productionConfig } from "../policies/lib";
import { toAnalyzed } from "../testing/policy";
import { runProgram } from "../testing/program";

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

async function main(): Promise<void> {
    console.log("Offline plan, fresh process each (wall time includes Node start-up and module loading):");
    console.log("stack        target      wall ms   peak RSS MiB   exit");
    for (const stack of ["staging", "production"])
        for (const target of ["aws", "kubernetes"]) {
            const r = planInChild(stack, target);
            console.log(
                `${stack.padEnd(12)} ${target.padEnd(10)} ${r.ms.toFixed(0).padStart(8)} ${r.maxRssMiB.toFixed(0).padStart(14)} ${String(r.code).padStart(6)}`,
            );
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
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
