/**
 * Two plans side by side (`--compare`): the monthly cost per component with the difference, and
 * the capacity each needs per namespace at its maximum.
 */
import { formatQuantity } from "../../analysis/capacity";
import { PLAN_FORMAT_VERSION, PlanDocument, planPassed } from "./document";

/** [first, second, second − first]. */
export type Triple = [number | null, number | null, number | null];

export interface Comparison {
    formatVersion: number;
    stacks: [string, string];
    environments: [string, string];
    passed: [boolean, boolean];
    cost: {
        currency: string;
        total: Triple;
        gpu: Triple;
        withoutGpu: Triple;
        /** first ÷ second, GPU included and excluded. */
        ratio: { total: number | null; withoutGpu: number | null };
        byComponent: Record<string, Triple>;
        unpriced: [number, number];
    } | null;
    capacity: {
        /** Requests per namespace at the maximum during a rolling update. */
        byNamespace: Record<string, [string | null, string | null]>;
        nodesNeeded: [Record<string, number> | null, Record<string, number> | null];
        problems: [number, number];
    } | null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const triple = (a: number | undefined, b: number | undefined): Triple => [a ?? null, b ?? null, a !== undefined && b !== undefined ? round2(b - a) : null];
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? Math.round((a / b) * 1000) / 1000 : null);

/** Compares two plan documents. */
export function compare(a: PlanDocument, b: PlanDocument): Comparison {
    let cost: Comparison["cost"] = null;
    if (a.cost || b.cost) {
        const components = [...new Set([...Object.keys(a.cost?.byComponent ?? {}), ...Object.keys(b.cost?.byComponent ?? {})])];
        cost = {
            currency: (a.cost ?? b.cost)!.currency,
            total: triple(a.cost?.monthly.total, b.cost?.monthly.total),
            gpu: triple(a.cost?.monthly.gpu, b.cost?.monthly.gpu),
            withoutGpu: triple(a.cost?.monthly.withoutGpu, b.cost?.monthly.withoutGpu),
            ratio: { total: ratio(a.cost?.monthly.total, b.cost?.monthly.total), withoutGpu: ratio(a.cost?.monthly.withoutGpu, b.cost?.monthly.withoutGpu) },
            byComponent: Object.fromEntries(
                components
                    .map((c): [string, Triple] => [
                        c,
                        triple(a.cost?.byComponent[c] ?? (a.cost ? 0 : undefined), b.cost?.byComponent[c] ?? (b.cost ? 0 : undefined)),
                    ])
                    .sort((x, y) => (y[1][1] ?? 0) - (x[1][1] ?? 0)),
            ),
            unpriced: [a.cost?.unpriced.length ?? 0, b.cost?.unpriced.length ?? 0],
        };
    }
    let capacity: Comparison["capacity"] = null;
    if (a.capacity || b.capacity) {
        const atMax = (d: PlanDocument) => d.capacity?.scenarios.find((s) => s.name === "rolling update at maximum")?.byNamespace ?? {};
        const describe = (x: ReturnType<typeof atMax>[string] | undefined) =>
            x
                ? `${x.pods} pods, cpu ${formatQuantity("cpu", x.requests.cpu)}, memory ${formatQuantity("memory", x.requests.memory)}, gpu ${x.requests.gpus}`
                : null;
        // Namespaces differ by prefix between stacks: compare by their role (the part after the prefix).
        const role = (ns: string) => ns.split("-").pop() ?? ns;
        const roles = [...new Set([...Object.keys(atMax(a)), ...Object.keys(atMax(b))].map(role))].sort();
        const find = (d: PlanDocument, r: string) => Object.entries(atMax(d)).find(([ns]) => role(ns) === r)?.[1];
        capacity = {
            byNamespace: Object.fromEntries(roles.map((r) => [r, [describe(find(a, r)), describe(find(b, r))]])),
            nodesNeeded: [a.capacity?.nodes.neededAtMaximum ?? null, b.capacity?.nodes.neededAtMaximum ?? null],
            problems: [a.capacity?.problems.length ?? 0, b.capacity?.problems.length ?? 0],
        };
    }
    return {
        formatVersion: PLAN_FORMAT_VERSION,
        stacks: [a.stack, b.stack],
        environments: [a.environment, b.environment],
        passed: [planPassed(a), planPassed(b)],
        cost,
        capacity,
    };
}

const money = (n: number | null) => (n === null ? "-" : `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const signed = (n: number | null) => (n === null ? "-" : `${n >= 0 ? "+" : "−"}${money(Math.abs(n))}`);

/** The comparison as a table for the terminal. */
export function renderComparison(c: Comparison): string {
    const [x, y] = c.stacks;
    const lines = [`Compare ${x} (${c.environments[0]}) with ${y} (${c.environments[1]})`];
    if (c.cost) {
        const w = Math.max(40, ...Object.keys(c.cost.byComponent).map((k) => k.length));
        const row = (label: string, t: Triple) => `  ${label.padEnd(w)} ${money(t[0]).padStart(12)} ${money(t[1]).padStart(12)} ${signed(t[2]).padStart(13)}`;
        lines.push("", `Monthly cost (${c.cost.currency})`, `  ${"".padEnd(w)} ${x.padStart(12)} ${y.padStart(12)} ${"difference".padStart(13)}`);
        for (const [k, t] of Object.entries(c.cost.byComponent)) lines.push(row(k, t));
        lines.push(row("total", c.cost.total), row("  of which GPU", c.cost.gpu), row("total without GPU", c.cost.withoutGpu));
        const pct = (r: number | null) => (r === null ? "-" : `${Math.round(r * 1000) / 10} %`);
        lines.push(`  ${x} is ${pct(c.cost.ratio.total)} of ${y} (${pct(c.cost.ratio.withoutGpu)} without GPU)`);
        if (c.cost.unpriced[0] + c.cost.unpriced[1] > 0)
            lines.push(`  unpriced resources: ${c.cost.unpriced[0]} and ${c.cost.unpriced[1]} (not in the totals)`);
    }
    if (c.capacity) {
        lines.push("", "Requests at the maximum during a rolling update, by namespace role");
        for (const [r, [p, q]] of Object.entries(c.capacity.byNamespace)) lines.push(`  ${r}: ${x}: ${p ?? "-"} | ${y}: ${q ?? "-"}`);
        const nodes = (n: Record<string, number> | null) =>
            n
                ? Object.entries(n)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(", ")
                : "does not fit";
        lines.push(`  nodes needed: ${x}: ${nodes(c.capacity.nodesNeeded[0])} | ${y}: ${nodes(c.capacity.nodesNeeded[1])}`);
        lines.push(`  capacity problems: ${c.capacity.problems[0]} and ${c.capacity.problems[1]}`);
    }
    lines.push("", `Result: ${x} ${c.passed[0] ? "PASS" : "FAIL"}, ${y} ${c.passed[1] ? "PASS" : "FAIL"}`);
    return lines.join("\n");
}
