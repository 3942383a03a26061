/**
 * Two plans side by side (`--compare`): the monthly cost per component with the difference, and
 * the capacity each needs per namespace at its maximum.
 */
import { formatQuantity } from "../../analysis/capacity";
import { PLAN_FORMAT_VERSION, PlanDocument, planPassed } from "./document";

/** One value per stack, in order, then the last minus the first. */
export type Triple = (number | null)[];

export interface Comparison {
    formatVersion: number;
    /** The stacks, in the order given (`--stack` first). */
    stacks: string[];
    environments: string[];
    passed: boolean[];
    cost: {
        currency: string;
        total: Triple;
        gpu: Triple;
        withoutGpu: Triple;
        /** first ÷ last, GPU included and excluded. */
        ratio: { total: number | null; withoutGpu: number | null };
        byComponent: Record<string, Triple>;
        unpriced: number[];
    } | null;
    capacity: {
        /** Requests per namespace at the maximum during a rolling update, one entry per stack. */
        byNamespace: Record<string, (string | null)[]>;
        nodesNeeded: (Record<string, number> | null)[];
        problems: number[];
    } | null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const row = (values: (number | undefined)[]): Triple => {
    const [a, b] = [values[0], values[values.length - 1]];
    return [...values.map((x) => x ?? null), a !== undefined && b !== undefined ? round2(b - a) : null];
};
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? Math.round((a / b) * 1000) / 1000 : null);

/** Compares two or more plan documents (the difference and the ratio are the last's against the first's). */
export function compare(...docs: PlanDocument[]): Comparison {
    const [first, last] = [docs[0], docs[docs.length - 1]];
    let cost: Comparison["cost"] = null;
    if (docs.some((d) => d.cost)) {
        const components = [...new Set(docs.flatMap((d) => Object.keys(d.cost?.byComponent ?? {})))];
        const monthly = (k: "total" | "gpu" | "withoutGpu") => row(docs.map((d) => d.cost?.monthly[k]));
        cost = {
            currency: docs.find((d) => d.cost)!.cost!.currency,
            total: monthly("total"),
            gpu: monthly("gpu"),
            withoutGpu: monthly("withoutGpu"),
            ratio: {
                total: ratio(first.cost?.monthly.total, last.cost?.monthly.total),
                withoutGpu: ratio(first.cost?.monthly.withoutGpu, last.cost?.monthly.withoutGpu),
            },
            byComponent: Object.fromEntries(
                components
                    .map((c): [string, Triple] => [c, row(docs.map((d) => d.cost?.byComponent[c] ?? (d.cost ? 0 : undefined)))])
                    .sort((x, y) => (y[1][docs.length - 1] ?? 0) - (x[1][docs.length - 1] ?? 0)),
            ),
            unpriced: docs.map((d) => d.cost?.unpriced.length ?? 0),
        };
    }
    let capacity: Comparison["capacity"] = null;
    if (docs.some((d) => d.capacity)) {
        const atMax = (d: PlanDocument) => d.capacity?.scenarios.find((s) => s.name === "rolling update at maximum")?.byNamespace ?? {};
        const describe = (x: ReturnType<typeof atMax>[string] | undefined) =>
            x
                ? `${x.pods} pods, cpu ${formatQuantity("cpu", x.requests.cpu)}, memory ${formatQuantity("memory", x.requests.memory)}, gpu ${x.requests.gpus}`
                : null;
        // Namespaces differ by prefix between stacks: compare by their role (the part after the prefix).
        const role = (ns: string) => ns.split("-").pop() ?? ns;
        const roles = [...new Set(docs.flatMap((d) => Object.keys(atMax(d)).map(role)))].sort();
        const find = (d: PlanDocument, r: string) => Object.entries(atMax(d)).find(([ns]) => role(ns) === r)?.[1];
        capacity = {
            byNamespace: Object.fromEntries(roles.map((r) => [r, docs.map((d) => describe(find(d, r)))])),
            nodesNeeded: docs.map((d) => d.capacity?.nodes.neededAtMaximum ?? null),
            problems: docs.map((d) => d.capacity?.problems.length ?? 0),
        };
    }
    return {
        formatVersion: PLAN_FORMAT_VERSION,
        stacks: docs.map((d) => d.stack),
        environments: docs.map((d) => d.environment),
        passed: docs.map((d) => planPassed(d)),
        cost,
        capacity,
    };
}

const money = (n: number | null) => (n === null ? "-" : `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const signed = (n: number | null) => (n === null ? "-" : `${n >= 0 ? "+" : "−"}${money(Math.abs(n))}`);

/** The comparison as a table for the terminal. */
export function renderComparison(c: Comparison): string {
    const n = c.stacks.length;
    const y = c.stacks[n - 1];
    const lines = [`Compare ${c.stacks.map((s, i) => `${s} (${c.environments[i]})`).join(" with ")}`];
    if (c.cost) {
        const w = Math.max(40, ...Object.keys(c.cost.byComponent).map((k) => k.length));
        const cols = c.stacks.map((s) => Math.max(12, s.length));
        const line = (label: string, t: Triple) =>
            `  ${label.padEnd(w)} ${t
                .slice(0, n)
                .map((v, i) => money(v).padStart(cols[i]))
                .join(" ")} ${signed(t[n]).padStart(13)}`;
        lines.push(
            "",
            `Monthly cost (${c.cost.currency})`,
            `  ${"".padEnd(w)} ${c.stacks.map((s, i) => s.padStart(cols[i])).join(" ")} ${"difference".padStart(13)}`,
        );
        for (const [k, t] of Object.entries(c.cost.byComponent)) lines.push(line(k, t));
        lines.push(line("total", c.cost.total), line("  of which GPU", c.cost.gpu), line("total without GPU", c.cost.withoutGpu));
        const pct = (r: number | null) => (r === null ? "-" : `${Math.round(r * 1000) / 10} %`);
        const r = (a: number | null, b: number | null) => (a !== null && b ? Math.round((a / b) * 1000) / 1000 : null);
        for (let i = 0; i < n - 1; i++)
            lines.push(
                `  ${c.stacks[i]} is ${pct(r(c.cost.total[i], c.cost.total[n - 1]))} of ${y} (${pct(r(c.cost.withoutGpu[i], c.cost.withoutGpu[n - 1]))} without GPU)`,
            );
        if (c.cost.unpriced.some((u) => u > 0)) lines.push(`  unpriced resources: ${c.cost.unpriced.join(", ")} (not in the totals)`);
    }
    if (c.capacity) {
        lines.push("", "Requests at the maximum during a rolling update, by namespace role");
        for (const [role, per] of Object.entries(c.capacity.byNamespace))
            lines.push(`  ${role}: ${per.map((p, i) => `${c.stacks[i]}: ${p ?? "-"}`).join(" | ")}`);
        const nodes = (m: Record<string, number> | null) =>
            m
                ? Object.entries(m)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(", ")
                : "does not fit";
        lines.push(`  nodes needed: ${c.capacity.nodesNeeded.map((m, i) => `${c.stacks[i]}: ${nodes(m)}`).join(" | ")}`);
        lines.push(`  capacity problems: ${c.capacity.problems.join(", ")}`);
    }
    lines.push("", `Result: ${c.stacks.map((s, i) => `${s} ${c.passed[i] ? "PASS" : "FAIL"}`).join(", ")}`);
    return lines.join("\n");
}
