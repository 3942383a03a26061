import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { alertRunbookAnchor, awsRunbookAnchor, RUNBOOKS } from "../components/core/facts";
import { alertRules } from "../components/kubernetes/monitoring";
import { AWS_ALARMS, K8S_ALERTS } from "../components/settings";
import { repoRoot, runProgram } from "../testing/program";

/** The runbook entries: `### Name` headings, their GitHub anchors, and the entry's text. */
function entries(): Map<string, string> {
    const text = fs.readFileSync(path.join(repoRoot(), RUNBOOKS), "utf8");
    const out = new Map<string, string>();
    for (const part of text.split(/^### /m).slice(1)) {
        const [heading, ...body] = part.split("\n");
        out.set(heading.trim().toLowerCase(), body.join("\n").split(/^## /m)[0]);
    }
    return out;
}

describe("runbooks: one entry per alert and per alarm, and no entry without one", () => {
    let linked: Map<string, string>;

    before(async () => {
        linked = new Map();
        // Kubernetes: the PrometheusRule of a production stack with the LLM (every alert).
        const k8s = await runProgram("production", { target: "kubernetes" });
        const rule = k8s.resources.all.find((r) => (r.inputs as any).kind === "PrometheusRule")!;
        for (const r of (rule.inputs as any).spec.groups.flatMap((g: any) => g.rules)) linked.set(r.alert, r.annotations.description);
        // AWS: every CloudWatch alarm of a production stack.
        const aws = await runProgram("production", { target: "aws" });
        for (const a of aws.resources.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")) linked.set(a.name, (a.inputs as any).alarmDescription);
        assert.ok(linked.size >= 25, `${linked.size} alerts and alarms`);
    });

    it("every alert and alarm names its runbook entry, and the entry exists", () => {
        const have = entries();
        for (const [name, description] of linked) {
            const m = /Runbook: docs\/runbooks\.md#([a-z0-9-]+)$/.exec(description);
            assert.ok(m, `${name}: no runbook link in "${description}"`);
            assert.ok(have.has(m[1]), `${name}: docs/runbooks.md has no entry #${m[1]}`);
        }
    });

    it("every entry belongs to an alert or an alarm the stack raises", () => {
        const anchors = new Set([...linked.values()].map((d) => /#([a-z0-9-]+)$/.exec(d)![1]));
        const orphans = [...entries().keys()].filter((a) => !anchors.has(a));
        assert.deepStrictEqual(orphans, [], `runbook entries without an alert: ${orphans.join(", ")}`);
    });

    it("every entry says what it means, what to check first, how to fix it and when to escalate", () => {
        for (const [anchor, body] of entries())
            for (const part of ["**Means:**", "**First checks:**", "**Fix:**", "**Escalate:**"]) assert.ok(body.includes(part), `#${anchor} lacks ${part}`);
    });

    it("the linked set is the whole alert set: every Kubernetes alert (the LLM's included) and every AWS alarm key", () => {
        for (const a of alertRules("app", "data", true, "StatefulSet", true, { names: ["postgres-app"], maxAgeDays: 90 }))
            assert.ok(linked.has(a.alert), `${a.alert} not in the production stack`);
        const anchors = new Set([...linked.values()].map((d) => /#([a-z0-9-]+)$/.exec(d)![1]));
        assert.ok(anchors.has("aws-db-replica-lag") && anchors.has("aws-gpu-status") && anchors.has("aws-waf-blocked-spike"));
    });

    it("every alert of the settings' catalogue (components/settings/alerts.ts) is raised by the production stack and has its entry", () => {
        const have = entries();
        const anchors = new Set([...linked.values()].map((d) => /#([a-z0-9-]+)$/.exec(d)![1]));
        const catalogue = [...Object.keys(K8S_ALERTS).map(alertRunbookAnchor), ...Object.keys(AWS_ALARMS).map(awsRunbookAnchor)];
        assert.ok(catalogue.includes("ragnodenotready") && catalogue.includes("ragcontainercpuhigh") && catalogue.includes("ragapihighlatencyp99"));
        for (const anchor of catalogue) {
            assert.ok(have.has(anchor), `docs/runbooks.md has no entry #${anchor}`);
            assert.ok(anchors.has(anchor), `#${anchor}: no alert of the production stack links it`);
        }
    });
});
