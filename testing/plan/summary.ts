/** The plan's terminal report: component tree, key settings, policy findings, verdict. */
import { formatQuantity } from "../../analysis/capacity";
import { formatMinutes } from "../../analysis/recovery";
import type { RecordedResource } from "../mocks";
import { PlanDocument, planPassed } from "./document";
import { preflightLines } from "./preflight";
import type { PlanResult } from "./result";

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The cost section: totals, per component, per type, unpriced resources, assumptions. */
export function costLines(d: PlanDocument): string[] {
    const c = d.cost;
    if (!c) return [];
    const lines = [
        `Estimated cost (${c.currency}, ${c.region}, list prices of ${c.pricesAsOf}, before tax and discounts): ${usd(c.monthly.total)} a month; GPU ${usd(c.monthly.gpu)}, without GPU ${usd(c.monthly.withoutGpu)}`,
        "  by component:",
    ];
    for (const [k, v] of Object.entries(c.byComponent)) lines.push(`    ${usd(v).padStart(12)}  ${k}`);
    lines.push("  by type:");
    for (const [k, v] of Object.entries(c.byType)) lines.push(`    ${usd(v).padStart(12)}  ${k}`);
    const derived = c.resources.filter((r) => r.items.some((i) => i.basis !== "published")).length;
    if (derived > 0) lines.push(`  ${derived} resource(s) priced with derived figures (us-east-1 × region factor): check them before budgeting`);
    lines.push(`  free: ${c.free.length} resources (no charge, or counted on another resource)`);
    if (c.unpriced.length > 0) {
        lines.push(`  unpriced (${c.unpriced.length}, not in the total):`);
        for (const u of c.unpriced) lines.push(`    ${u.urn.split("::").pop()} (${u.type}): ${u.reason}`);
    }
    lines.push(
        `  assumptions: ${Object.entries(c.assumptions)
            .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`)
            .join(", ")}`,
    );
    return lines;
}

/** The capacity section: nodes, each scenario per namespace, quotas, problems. */
export function capacityLines(d: PlanDocument): string[] {
    const c = d.capacity;
    if (!c) return [];
    const needed = c.nodes.neededAtMaximum;
    const lines = [
        `Capacity on the node pools (${Object.entries(c.nodes.byPool)
            .map(([p, n]) => `${p}: ${n}`)
            .join(", ")}; needed at the maximum during a rolling update: ${
            needed
                ? Object.entries(needed)
                      .map(([p, n]) => `${p}: ${n}`)
                      .join(", ")
                : "no count of these node shapes fits"
        }): ${c.passed ? "fits" : "DOES NOT FIT"}`,
    ];
    for (const s of c.scenarios) {
        lines.push(`  ${s.name}: ${s.pods} pods${s.unschedulable.length ? `, ${s.unschedulable.length} unschedulable` : ""}`);
        for (const [ns, b] of Object.entries(s.byNamespace))
            lines.push(
                `    ${ns}: ${b.pods} pods, requests cpu ${formatQuantity("cpu", b.requests.cpu)} memory ${formatQuantity("memory", b.requests.memory)} gpu ${b.requests.gpus}, limits cpu ${formatQuantity("cpu", b.limits.cpu)} memory ${formatQuantity("memory", b.limits.memory)}, ephemeral ${formatQuantity("ephemeral-storage", b.requests.ephemeralStorage)}, PVC ${formatQuantity("storage", b.pvcStorage)}`,
            );
    }
    for (const p of c.problems) lines.push(`  problem: ${p}`);
    return lines;
}

/** The recovery section: objectives, what is deployed, each scenario's RPO/RTO against them. */
export function recoveryLines(d: PlanDocument): string[] {
    const r = d.recovery;
    if (!r) return [];
    const o = r.objectives;
    const objectives = o
        ? `objectives RPO ${formatMinutes(o.rpoMinutes)} / RTO ${formatMinutes(o.rtoMinutes)} inside the site, ${
              o.siteLossRpoMinutes > 0 ? `RPO ${formatMinutes(o.siteLossRpoMinutes)} / RTO ${formatMinutes(o.siteLossRtoMinutes)}` : "none"
          } for a region or site loss`
        : "no objectives stated";
    const p = r.provides;
    const lines = [
        `Recovery (${r.database}; ${objectives}): ${r.passed ? "meets them" : "DOES NOT MEET THEM"}`,
        `  provides: backups ${p.backupFrequency}; point in time ${p.pointInTimeDays} days; ${p.replicas} standby/replica(s)${
            p.synchronousStandby ? ", synchronous" : ""
        }; off site: ${p.offsite.length ? p.offsite.join("; ") : "nothing"}`,
        `  tiers: ${p.tiers.length ? p.tiers.map((t) => `${t.tier} kept ${t.keptDays} d (${t.basis})`).join("; ") : "none"}; oldest point ${p.oldestPointDays} days`,
        ...(p.rebuilt?.length ? [`  rebuilt, not restored: ${p.rebuilt.join("; ")}`] : []),
    ];
    for (const s of r.scenarios)
        lines.push(
            `  ${s.meets ? "ok  " : "MISS"} ${s.name}: ${s.rpoMinutes === null ? "not recoverable" : `RPO ${formatMinutes(s.rpoMinutes)} / RTO ${formatMinutes(s.rtoMinutes)}`}${
                s.objective ? ` (objective ${formatMinutes(s.objective.rpoMinutes)} / ${formatMinutes(s.objective.rtoMinutes)})` : ""
            }: ${s.basis}`,
        );
    return lines;
}

/** Human-readable summary. */
export function renderSummary(result: PlanResult): string {
    const d = result.document;
    const lines: string[] = [];
    lines.push(`Stack ${d.stack}: target ${d.target}, environment ${d.environment}`);
    lines.push(
        `${d.summary.resources} resources: ${d.summary.components} components, ${d.summary.customResources} provider resources; opaque: ${d.summary.opaque.length === 0 ? "none" : d.summary.opaque.join(", ")}`,
    );
    lines.push("");
    lines.push("Key settings:");
    for (const [k, v] of Object.entries(d.settings)) lines.push(`  ${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
    lines.push("");
    lines.push("Component tree (resources by type under each component):");
    const children = new Map<string, RecordedResource[]>();
    for (const r of result.records) {
        const key = r.parent ?? "";
        if (!children.has(key)) children.set(key, []);
        children.get(key)!.push(r);
    }
    const walk = (urn: string, depth: number) => {
        const kids = children.get(urn) ?? [];
        const counts: Record<string, number> = {};
        for (const k of kids.filter((x) => x.custom)) counts[k.type] = (counts[k.type] ?? 0) + 1;
        const countText = Object.entries(counts)
            .sort()
            .map(([t, n]) => `${n} ${t}`)
            .join(", ");
        if (countText) lines.push(`${"  ".repeat(depth + 1)}${countText}`);
        for (const k of kids.filter((x) => !x.custom)) {
            lines.push(`${"  ".repeat(depth + 1)}${k.type} "${k.name}"`);
            walk(k.urn, depth + 1);
        }
    };
    for (const root of (children.get("") ?? []).filter((r) => !r.custom)) {
        lines.push(`  ${root.type} "${root.name}"`);
        walk(root.urn, 1);
    }
    lines.push("");
    const v = d.policy.violations;
    lines.push(
        `Policies: ${d.policy.policiesRun} run${d.policy.configFile ? ` with ${d.policy.configFile}` : " with the pack defaults"}; ${v.length} findings, ${d.policy.mandatoryViolations} mandatory`,
    );
    for (const sev of ["critical", "high", "medium", "low"]) {
        const group = v.filter((x) => (x.severity ?? "low") === sev);
        if (group.length === 0) continue;
        lines.push(`  ${sev} (${group.length}):`);
        for (const x of group) lines.push(`    [${x.enforcementLevel}] ${x.policy}: ${x.message}${x.urn ? ` (${x.urn.split("::").pop()})` : ""}`);
    }
    for (const u of d.policy.undecided) lines.push(`  [undecided] ${u.policy}: ${u.message}`);
    for (const section of [costLines(d), capacityLines(d), recoveryLines(d), preflightLines(d.preflight)]) if (section.length > 0) lines.push("", ...section);
    lines.push("");
    const reasons = [
        ...(d.policy.passed ? [] : [`${d.policy.mandatoryViolations} mandatory violations`]),
        ...(d.capacity && !d.capacity.passed ? [`${d.capacity.problems.length} capacity problems`] : []),
        ...(d.recovery && !d.recovery.passed ? [`${d.recovery.problems.length} recovery objectives missed`] : []),
    ];
    const fits = d.capacity ? "; the stack fits its cluster" : "";
    lines.push(planPassed(d) ? `Result: PASS (no mandatory policy violated${fits})` : `Result: FAIL (${reasons.join(", ")})`);
    return lines.join("\n");
}
