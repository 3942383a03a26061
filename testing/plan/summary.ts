/** The plan's terminal report: component tree, key settings, policy findings, verdict. */
import type { RecordedResource } from "../mocks";
import type { PlanResult } from "./index";

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
    lines.push("");
    lines.push(d.policy.passed ? "Result: PASS (no mandatory policy violated)" : `Result: FAIL (${d.policy.mandatoryViolations} mandatory violations)`);
    return lines.join("\n");
}
